"""Writes of the shared kernel: personal API tokens.

A token is generated once, shown once and stored as a SHA-256 digest; revoking it is
a conditional UPDATE, so a token revoked twice keeps the time it was first revoked.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from productorg.errors import ApplicationError
from productorg.models import ApiToken

logger = logging.getLogger(__name__)


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``; returns the row and the raw token.

    The raw token exists only in the return value: show it to its owner once.
    """
    name = (name or "").strip()
    if not name:
        raise ApplicationError.for_field("name", "Give the token a name, e.g. 'BI export'.")
    if not user.is_active:
        raise ApplicationError(f"{user} is not an active user.")
    raw = ApiToken.generate()
    token = ApiToken(user=user, name=name, prefix=raw[: ApiToken.PREFIX_LENGTH])
    token.digest = ApiToken.hash(raw)
    try:
        token.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors) from exc
    token.save()
    logger.info("API token %s (%s) created for user %s", token.pk, token.prefix, user.pk)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    """Revoke ``token``; it stops working at once.

    Its owner may, and so may an admin allowed to change tokens (the admin's action).
    """
    if acting_user.pk != token.user_id and not acting_user.has_perm("productorg.change_apitoken"):
        raise ApplicationError("Only the token's owner or an admin may revoke it.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at", "updated_at"])
    logger.info("API token %s (%s) revoked by user %s", token.pk, token.prefix, acting_user.pk)
    return token
