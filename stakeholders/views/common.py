"""What the stakeholder pages share: htmx partials, safe redirects, the viewer's scope."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from roadmaps.selectors import _viewer_subtree_ids
from roadmaps.views.common import wants_partial

__all__ = ["back_to", "is_leader", "wants_partial"]


def back_to(request: HttpRequest, fallback: str, *args):
    """Redirect to the form's ``next`` (a path on this site), else to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)


def is_leader(request: HttpRequest) -> bool:
    """Someone reports to the viewer (or they are an HR admin); read from the subtree the
    visibility rules already loaded, so it costs no query of its own."""
    subtree = _viewer_subtree_ids(user=request.user)
    return subtree is None or len(subtree) > 1
