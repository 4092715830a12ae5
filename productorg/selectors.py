"""Reads of the shared kernel: personal API tokens and users."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from productorg.models import ApiToken


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """``user``'s own tokens, newest first (one query). Nobody lists another's tokens."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_owner(*, user, token_id: int) -> ApiToken:
    """One of ``user``'s own tokens, or 404 (another user's token is not revealed)."""
    return get_object_or_404(ApiToken, pk=token_id, user=user)


def user_get_by_email(*, email: str):
    """The active login whose e-mail (or user name) is ``email``, or None."""
    User = get_user_model()
    users = User.objects.filter(is_active=True)
    return (
        users.filter(email__iexact=email).order_by("pk").first()
        or users.filter(**{f"{User.USERNAME_FIELD}__iexact": email}).first()
    )
