"""The dollr face (see docs/faces.md)."""
