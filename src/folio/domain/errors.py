"""Domain errors: named after the condition, carrying a stable code and a kind.

Each face maps the *kind* to its own HTTP status and error shape, in one place.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    INVALID = "invalid"  # malformed or invalid parameters
    UNAUTHENTICATED = "unauthenticated"  # no key, or a wrong one
    FORBIDDEN = "forbidden"  # a valid key acting where it may not
    NOT_FOUND = "not_found"  # no such object for this tenant and mode
    CONFLICT = "conflict"  # the object's state refuses the action; idempotency conflicts
    UNPROCESSABLE = "unprocessable"  # well-formed input a money rule refuses


class DomainError(Exception):
    """Base of every expected failure. Never becomes a 500."""

    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None,
                 details: tuple[dict[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        # a list a face may show beside the message (e.g. each failing EN 16931 rule)
        self.details = details
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

    kind = ErrorKind.CONFLICT
    code = "invalid_state"


class RuleViolation(DomainError):
    """Well-formed input that a money rule refuses (paying more than is due, ...)."""

    kind = ErrorKind.UNPROCESSABLE
    code = "rule_violation"


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "authentication_required"


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"
