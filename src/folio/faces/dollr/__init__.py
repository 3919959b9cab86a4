"""The Dollr face (see docs/faces/dollr.md)."""
