"""The dolfin face (see docs/faces.md)."""
