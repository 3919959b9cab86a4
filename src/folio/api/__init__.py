"""The canonical /v1 API."""
