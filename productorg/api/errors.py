"""The one error format of the API.

Every error answers ``{"error": {"status": 400, "code": "invalid", "message": "…",
"fields": {"field": ["…"]}}}``; ``fields`` is present for validation errors only.
Domain errors (:class:`~productorg.errors.ApplicationError`) and Django
``ValidationError`` become 400s in that format. A delete refused because other rows
still refer to the object (``on_delete=PROTECT``) is a 400 with code ``protected``,
never a 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from productorg.errors import ApplicationError


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {
            k: (_fields(v) if isinstance(v, dict) else [str(m) for m in _flatten(v)])
            for k, v in detail.items()
        }
    return {"non_field_errors": [str(m) for m in _flatten(detail)]}


class Protected(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "protected"
    default_detail = "This object cannot be deleted while other records refer to it."


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError) and isinstance(
        exc.__cause__, (ProtectedError, RestrictedError)
    ):
        # A service refused a delete and said why; keep its message.
        exc = Protected(exc.message)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        # A delete that bypassed the services: still a clear 400, not a 500.
        exc = Protected()
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError(exc.field_errors or {"non_field_errors": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        first = next(iter(_flatten(exc.detail)), "Invalid input.")
        body = {
            "status": status.HTTP_400_BAD_REQUEST,
            "code": "invalid",
            "message": first,
            "fields": fields,
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "status": response.status_code,
            "code": code if isinstance(code, str) else "error",
            "message": " ".join(_flatten(detail)),
        }
    response.data = {"error": body}
    return response
