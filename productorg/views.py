"""Pages of the shared kernel: a member's own API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from productorg.errors import ApplicationError
from productorg.models import ApiToken
from productorg.selectors import api_token_get_for_owner, api_token_list
from productorg.services import api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. “BI export” or “Chat bot”.",
    )


@never_cache  # the page that shows a new token must never be kept by a cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """List the user's tokens; create one, whose raw value this response alone shows.

    The new token is rendered straight into the POST response rather than redirected to,
    so it is never written to a session or a cookie.
    """
    form = ApiTokenForm(request.POST or None)
    created = raw_token = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            for field, errors in (exc.field_errors or {None: [exc.message]}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "productorg/tokens.html",
        {
            "form": form,
            "tokens": api_token_list(user=request.user),
            "created": created,
            "raw_token": raw_token,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def api_token_revoke_view(request, token_id: int):
    """Revoke one of the user's own tokens (another user's answers 404)."""
    token = api_token_get_for_owner(user=request.user, token_id=token_id)
    api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, f"Token “{token.name}” ({token.prefix}…) is revoked.")
    return redirect("api-tokens")
