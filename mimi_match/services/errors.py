"""Domain errors raised by services; views turn them into messages or status codes."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: ``message`` is a translated, user-facing sentence."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """The input breaks a rule; nothing was changed."""


class PermissionDenied(DomainError):
    """The acting user may not do this."""


class NotFound(DomainError):
    """The thing does not exist, or the acting user may not know that it does."""


class Conflict(DomainError):
    """Someone else changed the same thing first."""


class NeedsConfirmation(DomainError):
    """The step is possible but surprising (starting before the planned date, completing on the first day):
    ``message`` is the question to confirm; nothing was changed."""
