"""Reviews: upcoming and overdue lists, the month calendar, a review's page, marking one
done, and a leader's page of misses."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from productorg.errors import ApplicationError
from roles.selectors import person_for_user, person_get_for_page, person_subtree_ids

from ..forms import ReviewCompleteForm
from ..models import Review
from ..selectors import (
    review_can_edit,
    review_get_visible,
    review_list,
    review_mine_q,
    review_misses_under,
    review_series_occurrences,
)
from ..services import review_complete, review_consecutive_misses
from .common import back_to, is_leader, wants_partial

OVERDUE_SHOWN = 25
UPCOMING_PAGE_SIZE = 25
MISSES_PAGE_SIZE = 25
SERIES_SHOWN = 12
PER_DAY_SHOWN = 3


def _scoped_reviews(request: HttpRequest):
    """The visible reviews of the scope asked for: ``me`` (owned, taken part in, about
    me) or ``team`` (owned by anyone in my subtree, for leaders); and that scope."""
    viewer = person_for_user(user=request.user)
    leader = is_leader(request)
    scope = "team" if request.GET.get("scope") == "team" and leader else "me"
    reviews = review_list(user=request.user)
    if scope == "team":
        if viewer is not None:
            reviews = reviews.filter(owner_id__in=person_subtree_ids(root=viewer))
    elif viewer is not None:
        reviews = reviews.filter(review_mine_q(person=viewer))
    else:
        reviews = reviews.none()
    return reviews, scope, leader


def _prepare(request: HttpRequest, reviews, now) -> list[Review]:
    rows = list(reviews)
    for review in rows:
        _decorate(request, review, now)
    return rows


def _decorate(request: HttpRequest, review: Review, now, form=None) -> Review:
    review.can_edit = review_can_edit(user=request.user, review=review)
    review.is_late = review.is_open and review.due_at < now
    if review.can_edit and review.is_open:
        review.form = form or ReviewCompleteForm()
    return review


@require_GET
def review_index(request: HttpRequest) -> HttpResponse:
    """Overdue reviews first (the oldest first), then what is coming up, for me or my
    team; each open review can be marked done in place."""
    reviews, scope, leader = _scoped_reviews(request)
    now = timezone.now()
    late = Q(status=Review.Status.OVERDUE) | Q(status=Review.Status.SCHEDULED, due_at__lt=now)
    overdue = reviews.filter(late)
    upcoming = reviews.filter(status=Review.Status.SCHEDULED, due_at__gte=now)
    page = Paginator(upcoming, UPCOMING_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _prepare(request, page.object_list, now)
    overdue_total = overdue.count()
    context = {
        "scope": scope,
        "is_leader": leader,
        "overdue": _prepare(request, overdue[:OVERDUE_SHOWN], now),
        "overdue_total": overdue_total,
        "page": page,
        "now": now,
        "month": timezone.localdate().strftime("%Y-%m"),
    }
    return render(request, "stakeholders/reviews.html", context)


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "").strip()
    try:
        return datetime.strptime(raw, "%Y-%m").date().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@require_GET
def review_calendar(request: HttpRequest) -> HttpResponse:
    """A month of reviews, Monday first; on a phone, the days that have reviews."""
    reviews, scope, leader = _scoped_reviews(request)
    first = _month(request)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    zone = timezone.get_current_timezone()
    start = datetime.combine(weeks[0][0], time.min, tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min, tzinfo=zone)
    by_day: dict[date, list[Review]] = {}
    for review in reviews.filter(due_at__gte=start, due_at__lt=end).prefetch_related(None):
        by_day.setdefault(timezone.localdate(review.due_at), []).append(review)
    today = timezone.localdate()
    now = timezone.now()
    grid = [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "is_today": day == today,
                "shown": by_day.get(day, [])[:PER_DAY_SHOWN],
                "rest": by_day.get(day, [])[PER_DAY_SHOWN:],
                "count": len(by_day.get(day, [])),
            }
            for day in week
        ]
        for week in weeks
    ]
    for review in (r for day in by_day.values() for r in day):
        review.is_late = review.is_open and review.due_at < now
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    agenda = [cell for week in grid for cell in week if cell["in_month"] and cell["count"]]
    context = {
        "scope": scope,
        "is_leader": leader,
        "first": first,
        "grid": grid,
        "agenda": agenda,
        "total": sum(cell["count"] for cell in agenda),
        "weekdays": [calendar.day_abbr[n] for n in range(7)],
        "weekdays_full": [calendar.day_name[n] for n in range(7)],
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"),
        "is_this_month": first == today.replace(day=1),
    }
    return render(request, "stakeholders/calendar.html", context)


@require_GET
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """One review: what it is about, who takes part, its outcome and its series."""
    review = review_get_visible(user=request.user, review_id=review_id)
    now = timezone.now()
    _decorate(request, review, now)
    return _detail(request, review)


def _detail(
    request: HttpRequest, review: Review, status: int = 200, error: str = ""
) -> HttpResponse:
    series = list(review_series_occurrences(review=review)[:SERIES_SHOWN])
    context = {
        "review": review,
        "series": series if len(series) > 1 else [],
        "misses_in_a_row": review_consecutive_misses(review=review) if review.missed else 0,
        "escalate_after": settings.REVIEW_ESCALATE_AFTER_MISSES,
        "error": error,
    }
    return render(request, "stakeholders/review_detail.html", context, status=status)


@require_POST
def review_complete_view(request: HttpRequest, review_id: int) -> HttpResponse:
    """Mark an occurrence done (with its outcome) or skipped; the series' next occurrence
    is scheduled. To htmx: the closed row and the next one in its place."""
    review = review_get_visible(user=request.user, review_id=review_id)
    if not review_can_edit(user=request.user, review=review):
        raise PermissionDenied("Only the review's owner and their management chain close it.")
    form = ReviewCompleteForm(request.POST)
    following = None
    done = False
    if form.is_valid():
        try:
            following = review_complete(
                review=review,
                outcome=form.cleaned_data["outcome"].strip(),
                skipped=form.skipped,
                acting_user=request.user,
            )
            done = True
        except ApplicationError as exc:
            form.add_service_error(exc)
    now = timezone.now()
    if wants_partial(request):
        if not done:
            _decorate(request, review, now, form=form)
            return render(
                request,
                "stakeholders/_review_row.html",
                {"review": review, "now": now, "error": _first_error(form)},
                status=422,
            )
        review = review_get_visible(user=request.user, review_id=review.pk)
        if following is not None:
            following = _decorate(
                request, review_get_visible(user=request.user, review_id=following.pk), now
            )
        context = {"closed": review, "following": following, "now": now}
        return render(request, "stakeholders/_review_completed.html", context)
    if not done:
        review.refresh_from_db()
        _decorate(request, review, now, form=form)
        return _detail(request, review, status=400, error=_first_error(form))
    verb = "skipped" if form.skipped else "done"
    text = f"“{review.title}” is {verb}."
    if following is not None:
        text += f" Next one: {timezone.localtime(following.due_at):%a %-d %b %Y, %H:%M}."
    messages.success(request, text)
    return back_to(request, "reviews")


def _first_error(form) -> str:
    return next((str(errors[0]) for errors in form.errors.values() if errors), "")


@require_GET
def misses(request: HttpRequest) -> HttpResponse:
    """Every overdue review and goal check-in in a leader's subtree, most misses in a row
    first: the page a leader opens when escalations arrive."""
    viewer = person_for_user(user=request.user)
    leader_id = request.GET.get("leader", "").strip()
    if leader_id.isdigit():
        leader = person_get_for_page(user=request.user, person_id=int(leader_id))
    else:
        leader = viewer
    rows = review_misses_under(user=request.user, leader=leader)
    page = Paginator(rows, MISSES_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "leader": leader,
        "is_me": leader is not None and viewer is not None and leader.pk == viewer.pk,
        "page": page,
        "now": now,
        "escalate_after": settings.REVIEW_ESCALATE_AFTER_MISSES,
    }
    return render(request, "stakeholders/misses.html", context)
