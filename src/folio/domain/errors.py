"""Domain errors: named after the condition, carrying a stable code and a kind.

Each face maps the *kind* to its own HTTP status and error shape, in one place.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    INVALID = "invalid_request"  # 400: malformed or semantically invalid input
    UNPROCESSABLE = "unprocessable"  # 422: valid input the current state refuses
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409: concurrent or idempotency conflict
    UNAUTHENTICATED = "unauthenticated"  # 401
    FORBIDDEN = "forbidden"  # 403


class DomainError(Exception):
    """Base of every expected failure. Never becomes a 500."""

    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    code = "parameter_invalid"


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "resource_missing"


class InvalidState(DomainError):
    """The object exists but its state refuses the action (e.g. editing a finalized invoice)."""

    kind = ErrorKind.UNPROCESSABLE
    code = "invalid_state"


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "authentication_required"


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"
