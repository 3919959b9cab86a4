"""The commet face (see docs/faces.md)."""
