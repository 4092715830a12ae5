"""The calendar feed of a member's reviews and the page that creates and revokes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from productorg.errors import ApplicationError
from roles.selectors import person_for_user

from ..ics import (
    calendar_feed_create,
    calendar_feed_get_by_secret,
    calendar_feed_revoke,
    ics_calendar,
)
from ..models import CalendarFeed
from ..selectors import reviews_for_calendar_feed


@never_cache  # the response that shows a new feed URL must never be kept by a cache
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """Whether the member has a feed; create one (its URL shown by this response only)."""
    person = person_for_user(user=request.user)
    feed_url = None
    if request.method == "POST" and person is not None:
        try:
            _, secret = calendar_feed_create(person=person)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("calendar-feed-settings")
        feed_url = request.build_absolute_uri(reverse("calendar-feed", args=[secret]))
    feed = CalendarFeed.objects.filter(person=person).first() if person else None
    context = {
        "person": person,
        "feed": feed,
        "feed_url": feed_url,
        "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "stakeholders/calendar_feed.html", context)


@require_POST
def calendar_feed_revoke_view(request: HttpRequest) -> HttpResponse:
    person = person_for_user(user=request.user)
    if person is not None and calendar_feed_revoke(person=person):
        messages.success(
            request, "Your calendar feed is revoked: calendars subscribed to it stop updating."
        )
    return redirect("calendar-feed-settings")


@login_not_required  # calendar apps cannot sign in: the secret in the URL is the credential
@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar feed; 404 (never a sign-in redirect) for a wrong or revoked secret."""
    feed = calendar_feed_get_by_secret(secret=secret)
    if feed is None:
        return HttpResponseNotFound("No such calendar.\n", content_type="text/plain; charset=utf-8")
    now = timezone.now()
    reviews = reviews_for_calendar_feed(person=feed.person, now=now)
    body = ics_calendar(
        reviews=reviews,
        name=f"Reviews · {feed.person.full_name}",
        url_for=lambda review: request.build_absolute_uri(
            reverse("review-detail", args=[review.pk])
        ),
        host=request.get_host().split(":")[0] or "productorg",
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reviews.ics"'
    response["Cache-Control"] = "private, max-age=0, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
