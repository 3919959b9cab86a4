"""The chatdash face (see docs/faces.md)."""
