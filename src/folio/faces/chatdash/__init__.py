"""The ChatDash face (see docs/faces/chatdash.md)."""
