"""The one domain error of ProductOrg.

Services raise :class:`ApplicationError`; the API turns it into a 400 with field errors
(see ``productorg.api.errors``) and pages into form errors.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain was broken by the caller's input.

    ``field_errors`` maps a field name (or ``"non_field_errors"``) to a list of messages.
    """

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    @classmethod
    def for_field(cls, field: str, message: str) -> ApplicationError:
        return cls(message, field_errors={field: [message]})
