"""A person's goals with their check-ins, and the goal page."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from productorg.errors import ApplicationError
from roles.models import Person
from roles.selectors import person_for_user, person_get_for_page

from ..charts import format_value
from ..forms import CheckInForm, GoalAlignForm
from ..models import CADENCE_DAYS, Goal, KeyResult, Period
from ..selectors import (
    GOAL_LEVEL_RANK,
    goal_align_candidates,
    goal_can_edit,
    goal_get_visible,
    goal_key_results,
    goal_links_for_page,
    goal_progress_explain,
    goal_recent_check_ins,
    goal_same_owner_ancestors,
    goals_owned_by,
    key_result_get_for_check_in,
    period_choices,
)
from ..services import check_in_create, goal_link_create
from .common import resolve_period, wants_partial

CHECK_INS_PER_KEY_RESULT = 30


def _check_in_due(goal: Goal, now) -> bool:
    """No check-in within the goal's cadence (finished and draft goals are never due)."""
    if goal.status in (
        Goal.Status.ACHIEVED,
        Goal.Status.MISSED,
        Goal.Status.CANCELLED,
        Goal.Status.DRAFT,
    ):
        return False
    if goal.last_check_in_at is None:
        return True
    return (now - goal.last_check_in_at).days > CADENCE_DAYS.get(goal.check_in_cadence, 7)


def _goals_page(
    request: HttpRequest,
    *,
    person: Person,
    is_me: bool,
    period: Period | None = None,
    bound: dict[int, CheckInForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A person's goals of a period with their key results and a check-in form for each
    key result the viewer may check in on. ``bound`` puts a submitted form (with its
    errors) back in place."""
    periods = period_choices()
    period = period or resolve_period(request, periods)
    goals = list(goals_owned_by(user=request.user, person=person, period=period)) if period else []
    goals.sort(key=lambda g: (GOAL_LEVEL_RANK[g.level], g.title.lower(), g.pk))
    bound = bound or {}
    now = timezone.now()
    for goal in goals:
        goal.can_edit = goal_can_edit(user=request.user, goal=goal)
        goal.due = _check_in_due(goal, now)
        goal.krs = list(goal.key_results.all())
        for kr in goal.krs:
            kr.form = bound.get(kr.pk) or CheckInForm(prefix_id=f"kr-{kr.pk}")
    progress = [g.progress for g in goals]
    context = {
        "person": person,
        "is_me": is_me,
        "periods": periods,
        "period": period,
        "goals": goals,
        "stats": {
            "goals": len(goals),
            "key_results": sum(len(g.krs) for g in goals),
            "average": (sum(progress) / len(progress)) if progress else None,
            "due": sum(1 for g in goals if g.due),
        },
    }
    return render(request, "roadmaps/goals_mine.html", context, status=status)


@require_GET
def my_goals(request: HttpRequest) -> HttpResponse:
    """The signed-in person's goals of the current period (or ``?period=``), ready for
    check-ins."""
    viewer = person_for_user(user=request.user)
    if viewer is None:
        return render(request, "roadmaps/goals_unlinked.html", {})
    return _goals_page(request, person=viewer, is_me=True)


@require_GET
def person_goals(request: HttpRequest, person_id: int) -> HttpResponse:
    """Someone's goals: the public ones, and the private ones the viewer may see."""
    person = person_get_for_page(user=request.user, person_id=person_id)
    viewer = person_for_user(user=request.user)
    return _goals_page(request, person=person, is_me=viewer is not None and viewer.pk == person.pk)


def _goals_page_url(goal: Goal, viewer: Person | None) -> str:
    if goal.owner_id is not None and (viewer is None or viewer.pk != goal.owner_id):
        url = reverse("goals-person", args=[goal.owner_id])
    else:
        url = reverse("goals-mine")
    return f"{url}?period={goal.period_id}"


@require_POST
def key_result_check_in(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """Record a check-in on a key result.

    To htmx: the key result's row, with the goal's progress (and that of the owner's
    goals above it on the same page) swapped out of band. Without JavaScript: a
    redirect back to the goals page, or that page again with the error by the field.
    404 for a key result of a goal the viewer may not see; 403 when they may see it but
    not edit it.
    """
    key_result = key_result_get_for_check_in(user=request.user, key_result_id=key_result_id)
    goal = key_result.goal
    if not goal_can_edit(user=request.user, goal=goal):
        raise PermissionDenied("Only the goal's owner and their management chain check in on it.")
    viewer = person_for_user(user=request.user)
    form = CheckInForm(request.POST, prefix_id=f"kr-{key_result.pk}")
    saved = None
    if form.is_valid():
        try:
            saved = check_in_create(
                key_result=key_result,
                author=viewer,
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)

    if wants_partial(request):
        if saved is None:
            key_result.form = form
            context = {"kr": key_result, "goal": goal, "can_edit": True}
            return render(request, "roadmaps/_kr_row.html", context, status=422)
        key_result.refresh_from_db()
        goal.refresh_from_db()
        key_result.form = CheckInForm(prefix_id=f"kr-{key_result.pk}")
        context = {
            "kr": key_result,
            "goal": goal,
            "can_edit": True,
            "saved": saved,
            "ancestors": goal_same_owner_ancestors(goal=goal),
            "message": _saved_message(key_result, saved.value, goal),
        }
        return render(request, "roadmaps/_check_in_saved.html", context)

    if saved is not None:
        messages.success(request, _saved_message(key_result, saved.value, None))
        return redirect(f"{_goals_page_url(goal, viewer)}#kr-{key_result.pk}")
    owner = goal.owner
    if owner is None:  # no goals page lists it: say what went wrong on the goal's own page
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("goal-detail", goal_id=goal.pk)
    return _goals_page(
        request,
        person=owner,
        is_me=viewer is not None and viewer.pk == owner.pk,
        period=goal.period,
        bound={key_result.pk: form},
        status=400,
    )


def _saved_message(key_result: KeyResult, value, goal: Goal | None) -> str:
    value = format_value(value, key_result.unit)
    text = f"Checked in {value} on “{key_result.title}”."
    if goal is not None:
        text += f" “{goal.title}” is now at {goal.progress.normalize():f}%."
    return text


# ---------------------------------------------------------------------------- goal page


def _goal_page(
    request: HttpRequest, goal: Goal, *, align_form: GoalAlignForm | None = None, status=200
) -> HttpResponse:
    user = request.user
    explanation = goal_progress_explain(user=user, goal=goal)
    key_results = goal_key_results(goal=goal)
    check_ins = goal_recent_check_ins(goal=goal, per_key_result=CHECK_INS_PER_KEY_RESULT)
    by_key_result = defaultdict(list)
    for check_in in check_ins:
        by_key_result[check_in.key_result_id].append(check_in)
    titles = {kr.pk: kr for kr in key_results}
    for kr in key_results:
        kr.readings = by_key_result[kr.pk]
    for check_in in check_ins:
        check_in.kr = titles.get(check_in.key_result_id)
    up, down = goal_links_for_page(user=user, goal=goal)
    can_edit = goal_can_edit(user=user, goal=goal)
    if can_edit and align_form is None:
        align_form = GoalAlignForm(candidates=goal_align_candidates(user=user, goal=goal))
    viewer = person_for_user(user=user)
    context = {
        "goal": goal,
        "explanation": explanation,
        "key_results": key_results,
        "recent_check_ins": check_ins[:8],
        "parents": up,
        "children": down,
        "can_edit": can_edit,
        "align_form": align_form if can_edit else None,
        "goals_page_url": _goals_page_url(goal, viewer),
        "is_mine": viewer is not None and goal.owner_id == viewer.pk,
    }
    return render(request, "roadmaps/goal_detail.html", context, status=status)


@require_GET
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """One goal: its numbers, key results with their check-in history, how its progress
    was computed, and the goals it aligns to and that align to it."""
    goal = goal_get_visible(user=request.user, goal_id=goal_id)
    return _goal_page(request, goal)


@require_POST
def goal_align(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Align a goal to a parent goal (contributing with a weight, or supporting)."""
    goal = goal_get_visible(user=request.user, goal_id=goal_id)
    if not goal_can_edit(user=request.user, goal=goal):
        raise PermissionDenied("Only the goal's owner and their management chain align it.")
    candidates = goal_align_candidates(user=request.user, goal=goal)
    form = GoalAlignForm(request.POST, candidates=candidates)
    if form.is_valid():
        parent = form.candidates[form.cleaned_data["parent"]]
        try:
            goal_link_create(
                child=goal,
                parent=parent,
                kind=form.cleaned_data["kind"],
                weight=form.cleaned_data["weight"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"“{goal.title}” now aligns to “{parent.title}”.")
            return redirect(reverse("goal-detail", args=[goal.pk]) + "#alignment")
    return _goal_page(request, goal, align_form=form, status=400)
