"""The notification centre: a member's in-app notifications, read one by one or all."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from roles.selectors import person_for_user

from ..models import Notification
from ..selectors import notification_get_own, notification_list, notification_unread_count
from ..services import notification_mark_read, notifications_mark_all_read
from .common import back_to, wants_partial

NOTIFICATIONS_PAGE_SIZE = 20


def _in_app(request: HttpRequest):
    return notification_list(user=request.user).filter(channel=Notification.Channel.IN_APP)


@require_GET
def notification_index(request: HttpRequest) -> HttpResponse:
    """Newest first; ``?unread=1`` for the unread ones only."""
    unread_only = request.GET.get("unread") == "1"
    rows = _in_app(request)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only}
    return render(request, "stakeholders/notifications.html", context)


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the viewer's notifications read (anyone else's answers 404)."""
    notification = notification_get_own(user=request.user, notification_id=notification_id)
    notification = notification_mark_read(
        notification=notification, person=person_for_user(user=request.user)
    )
    if wants_partial(request):
        context = {
            "notification": notification,
            "unread_notifications": notification_unread_count(user=request.user),
            "oob": True,
        }
        return render(request, "stakeholders/_notification_read.html", context)
    return back_to(request, "notifications")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    person = person_for_user(user=request.user)
    count = notifications_mark_all_read(person=person) if person is not None else 0
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return back_to(request, "notifications")
