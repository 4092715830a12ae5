"""Pages of strategy and goals: the alignment tree, my goals, goal and product pages, the
products list and the goals CSV export.

Who sees what (DESIGN.md): products, roadmaps and public goals are visible to every
signed-in member; a private goal only to its owner, their management chain and HR admins
— every goal read goes through the visibility selectors, so a private goal never shows on
a page, in a filter choice or in the export of anyone else, and its page answers 404. A
visible goal or product the viewer may not change answers 403 to a write.

Views only parse input, call selectors and services and render. Each page runs a fixed
number of queries whatever the number of goals or check-ins
(tests/pages_roadmaps/test_query_counts.py). Every form works as a plain POST with a
redirect; htmx enhances the check-in (the key result and its goal update in place).
Validation errors come back inline: 400 for a full page, 422 for an htmx fragment
(static/js/app.js lets htmx swap a 422 in).
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from productorg.errors import ApplicationError
from roles.models import BusinessUnit, Person
from roles.selectors import business_unit_subtree, person_for_user, person_get_for_page

from .charts import format_value
from .filters import GoalFilterSet, ProductFilterSet
from .forms import CheckInForm, GoalAlignForm, StageTransitionForm
from .models import CADENCE_DAYS, Goal, KeyResult, LifecycleStage, Period, RoadmapItem
from .selectors import (
    GOAL_LEVEL_RANK,
    AlignmentNode,
    alignment_filter_choices,
    alignment_tree,
    goal_align_candidates,
    goal_can_edit,
    goal_get_visible,
    goal_key_results,
    goal_links_for_page,
    goal_list_for_period,
    goal_period_summary,
    goal_progress_explain,
    goal_recent_check_ins,
    goal_same_owner_ancestors,
    goal_visible_parent_ids,
    goals_owned_by,
    key_result_get_for_check_in,
    period_choices,
    period_current,
    product_can_edit,
    product_get_for_page,
    product_goals_for_page,
    product_list_for_page,
    product_roadmap,
    product_stage_history_for_page,
    product_vision_and_policy,
)
from .services import check_in_create, goal_link_create, product_transition

# The alignment tree shows at most this many goals (breadth first, so every company goal
# and the levels under it come before deeper ones); filters narrow a larger tree down.
ALIGNMENT_NODE_BUDGET = 300
ORPHANS_SHOWN = 50
# The alignment filters; the names are GoalFilterSet's, shared with the API.
ALIGNMENT_FILTERS = ("business_unit", "product", "owner")
PRODUCTS_PAGE_SIZE = 25
PRODUCT_FILTERS = ("search", "business_unit", "stage")
CHECK_INS_PER_KEY_RESULT = 30
ROADMAP_STATUS_ORDER = ["in_progress", "planned", "idea", "done", "dropped"]


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def _resolve_period(request: HttpRequest, periods: list[Period]) -> Period | None:
    """The period asked for (``?period=<id>``), else the current one, else the latest
    that has started, else the first planned."""
    if not periods:
        return None
    by_id = {str(p.pk): p for p in periods}
    wanted = by_id.get(request.GET.get("period", "").strip())
    if wanted is not None:
        return wanted
    current = period_current()
    if current is not None:
        return current
    today = timezone.localdate()
    started = [p for p in periods if p.start <= today]  # periods come newest first
    return started[0] if started else periods[-1]


# ---------------------------------------------------------------------- alignment tree


@dataclass
class TreeItem:
    """One goal as the alignment page draws it: a node of the tree, under one parent."""

    goal: Goal
    link_kind: str | None
    dom_id: str
    children: list[TreeItem] = field(default_factory=list)
    hidden: int = 0  # entries under it left out of the page (over the budget)
    context: bool = False  # shown only as the way up to goals that match the filters


def _tree_within_budget(
    roots: list[AlignmentNode], budget: int, matches=None
) -> tuple[list[TreeItem], int]:
    """The forest as :class:`TreeItem` rows, breadth first, at most ``budget`` entries.

    ``matches`` (when filtering) tells the goals that match from those shown only for
    context. Returns the rows and the number of entries (goals under a parent) left out.
    """
    ids = itertools.count(1)
    sizes: dict[int, int] = {}

    def size(node: AlignmentNode) -> int:
        if id(node) not in sizes:
            sizes[id(node)] = 1 + sum(size(child) for child in node.children)
        return sizes[id(node)]

    def item(node: AlignmentNode) -> TreeItem:
        return TreeItem(
            goal=node.goal,
            link_kind=node.link_kind,
            dom_id=f"aligned-{next(ids)}",
            context=matches is not None and not matches(node.goal),
        )

    rows = [item(root) for root in roots]
    remaining = budget - len(rows)
    queue = list(zip(roots, rows, strict=True))
    left_out = 0
    while queue:
        next_queue = []
        for node, row in queue:
            for child in node.children:
                if remaining > 0:
                    child_row = item(child)
                    row.children.append(child_row)
                    next_queue.append((child, child_row))
                    remaining -= 1
                else:
                    row.hidden += size(child)
                    left_out += size(child)
        queue = next_queue
    return rows, left_out


class AlignmentFilterSet(GoalFilterSet):
    """The API's goal filters, for the three the alignment page offers."""

    class Meta(GoalFilterSet.Meta):
        fields = list(ALIGNMENT_FILTERS)


def _alignment_filters(request: HttpRequest, base) -> tuple[AlignmentFilterSet, dict, dict]:
    """The filter set over ``base``, the raw values for the form, and the valid ids."""
    data = {key: request.GET.get(key, "").strip()[:20] for key in ALIGNMENT_FILTERS}
    filterset = AlignmentFilterSet(data, queryset=base, request=request)
    filterset.form.is_valid()  # invalid values are dropped and ignored, as in the directory
    cleaned = getattr(filterset.form, "cleaned_data", {})
    ids = {f"{key}_id": (cleaned[key].pk if cleaned.get(key) else None) for key in data}
    return filterset, data, ids


def _matcher(ids: dict):
    """Whether a goal matches every filter given (the rule alignment_tree applies)."""

    def matches(goal: Goal) -> bool:
        return all(value is None or getattr(goal, key) == value for key, value in ids.items())

    return matches


@require_GET
def alignment(request: HttpRequest) -> HttpResponse:
    """The goals of a period as a tree from the company goals down, with the goals that
    align to nothing listed apart. Filters keep the goals that match and the branches
    leading to them; the same URL serves the whole page and, to htmx, only the results."""
    periods = period_choices()
    period = _resolve_period(request, periods)
    context: dict = {"periods": periods, "period": period}
    if period is not None:
        filterset, data, ids = _alignment_filters(
            request, goal_list_for_period(user=request.user, period=period)
        )
        tree = alignment_tree(user=request.user, period=period, **ids)
        rows, left_out = _tree_within_budget(
            tree.roots, ALIGNMENT_NODE_BUDGET, _matcher(ids) if any(ids.values()) else None
        )
        orphans = tree.orphans[:ORPHANS_SHOWN]
        for goal in orphans:
            goal.can_edit = goal_can_edit(user=request.user, goal=goal)
        query = {"period": period.pk} | {k: v for k, v in data.items() if ids[f"{k}_id"]}
        context.update(
            filters=data,
            is_filtered=any(ids.values()),
            tree=tree,
            rows=rows,
            left_out=left_out,
            orphans=orphans,
            export_url=f"{reverse('goals-export')}?{urlencode(query)}",
            orphans_more=max(len(tree.orphans) - ORPHANS_SHOWN, 0),
            summary=goal_period_summary(goals=filterset.qs),
        )
    if _wants_partial(request):
        response = render(request, "roadmaps/_alignment_results.html", context)
    else:
        if period is not None:
            context.update(alignment_filter_choices(user=request.user, period=period))
        response = render(request, "roadmaps/alignment.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (leading =, +, -, @ are escaped)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require_GET
def goals_export(request: HttpRequest) -> HttpResponse:
    """The goals of a period as CSV, with the alignment page's filters.

    Only goals the viewer may see, and among each goal's parents only those the viewer
    may see. Level, status and visibility are written as the pages show them.
    """
    periods = period_choices()
    period = _resolve_period(request, periods)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"goals-{period.name if period else 'none'}.csv".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        ["id", "title", "level", "status", "owner", "period", "progress", "visibility", "parents"]
    )
    if period is None:
        return response
    filterset, _, _ = _alignment_filters(
        request, goal_list_for_period(user=request.user, period=period)
    )
    goals = filterset.qs
    parents = goal_visible_parent_ids(user=request.user, goals=goals)
    for goal in goals:
        writer.writerow(
            [
                goal.pk,
                _csv_cell(goal.title),
                goal.get_level_display(),
                goal.get_status_display(),
                _csv_cell(goal.owner.full_name if goal.owner else ""),
                _csv_cell(goal.period.name),
                goal.progress,
                goal.get_visibility_display(),
                "; ".join(f"{pid} ({kind})" for pid, kind in parents.get(goal.pk, ())),
            ]
        )
    return response


# ---------------------------------------------------------------------------- my goals


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
    period = period or _resolve_period(request, periods)
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

    if _wants_partial(request):
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
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = _goals_page_url(goal, viewer)
        return redirect(f"{target.split('#')[0]}#kr-{key_result.pk}")
    owner = goal.owner
    return _goals_page(
        request,
        person=owner,
        is_me=viewer is not None and owner is not None and viewer.pk == owner.pk,
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


# ---------------------------------------------------------------------------- products


class ProductPageFilterSet(ProductFilterSet):
    """The API's product filters (same names), where a business unit also takes in the
    units nested in it, as in the people directory."""

    business_unit = django_filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), method="filter_business_unit"
    )

    class Meta(ProductFilterSet.Meta):
        fields = list(PRODUCT_FILTERS)

    def filter_business_unit(self, queryset, name, value):
        # One recursive subquery inside the list query.
        return queryset.filter(business_unit__in=business_unit_subtree(root=value).values("id"))


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    """Products by name, filtered by unit, stage or name; the same URL serves the page and,
    to htmx, only the results. Invalid filter values are ignored."""
    data = {key: request.GET.get(key, "").strip()[:200] for key in PRODUCT_FILTERS}
    filterset = ProductPageFilterSet(data, queryset=product_list_for_page())
    page = Paginator(filterset.qs, PRODUCTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": data, "is_filtered": any(data.values())}
    if _wants_partial(request):
        context["oob"] = True
        response = render(request, "roadmaps/_product_results.html", context)
    else:
        context.update(
            units=BusinessUnit.objects.order_by("name", "id"),
            stages=LifecycleStage.choices,
        )
        response = render(request, "roadmaps/products.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _product_page(
    request: HttpRequest,
    product,
    *,
    transition_form: StageTransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    items = product_roadmap(user=user, product=product)
    horizons = {value: [] for value in RoadmapItem.Horizon.values}
    scheduled: dict[Period, list[RoadmapItem]] = {}
    # Within a column: what is under way first, what was dropped last.
    for item in sorted(items, key=lambda i: ROADMAP_STATUS_ORDER.index(i.status)):
        if item.horizon:
            horizons[item.horizon].append(item)
        else:
            scheduled.setdefault(item.target_period, []).append(item)
    vision, policy = product_vision_and_policy(product=product)
    can_edit = product_can_edit(user=user, product=product)
    if can_edit and transition_form is None:
        transition_form = StageTransitionForm(current_stage=product.stage)
    stages = LifecycleStage.choices
    current_index = [value for value, _ in stages].index(product.stage)
    context = {
        "product": product,
        "history": product_stage_history_for_page(product=product),
        "vision": vision,
        "policy": policy,
        "goals": product_goals_for_page(user=user, product=product),
        "columns": [
            (label, value, horizons[value]) for value, label in RoadmapItem.Horizon.choices
        ],
        "scheduled": list(scheduled.items()),
        "roadmap_count": len(items),
        "stages": [
            {"value": value, "label": label, "state": _stage_state(i, current_index)}
            for i, (value, label) in enumerate(stages)
        ],
        "can_edit": can_edit,
        "transition_form": transition_form if can_edit else None,
    }
    return render(request, "roadmaps/product_detail.html", context, status=status)


def _stage_state(index: int, current: int) -> str:
    if index < current:
        return "done"
    return "current" if index == current else "todo"


@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    """One product: its lifecycle stage and how it got there, its vision, goals and
    roadmap (now / next / later, and items scheduled for a period)."""
    return _product_page(request, product_get_for_page(product_id=product_id))


@require_POST
def product_transition_view(request: HttpRequest, product_id: int) -> HttpResponse:
    """Move a product to another lifecycle stage (its owner, their chain and HR admins)."""
    product = product_get_for_page(product_id=product_id)
    if not product_can_edit(user=request.user, product=product):
        raise PermissionDenied("Only the product's owner and their management chain move it.")
    form = StageTransitionForm(request.POST, current_stage=product.stage)
    if form.is_valid():
        try:
            product = product_transition(
                product=product,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{product.name} is now in {product.get_stage_display()}.")
            return redirect(reverse("product-detail", args=[product.pk]) + "#lifecycle")
    return _product_page(request, product, transition_form=form, status=400)
