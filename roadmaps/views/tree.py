"""The alignment tree of a period and its CSV export."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ..filters import GoalFilterSet
from ..models import Goal
from ..selectors import (
    AlignmentNode,
    alignment_filter_choices,
    alignment_tree,
    goal_can_edit,
    goal_list_for_period,
    goal_period_summary,
    goal_visible_parent_ids,
    period_choices,
)
from .common import resolve_period, wants_partial

# The alignment tree shows at most this many goals (breadth first, so every company goal
# and the levels under it come before deeper ones); filters narrow a larger tree down.
ALIGNMENT_NODE_BUDGET = 300
ORPHANS_SHOWN = 50
# The alignment filters; the names are GoalFilterSet's, shared with the API.
ALIGNMENT_FILTERS = ("business_unit", "product", "owner")


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
    period = resolve_period(request, periods)
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
    if wants_partial(request) and period is not None:
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
    period = resolve_period(request, periods)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"goals-{period.name if period else 'none'}.csv".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Rows go to a buffer written to the response once: a write per row to the
    # response encodes each row on its own.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["id", "title", "level", "status", "owner", "period", "progress", "visibility", "parents"]
    )
    if period is None:
        response.write(buffer.getvalue())
        return response
    filterset, _, _ = _alignment_filters(
        request, goal_list_for_period(user=request.user, period=period)
    )
    goals = filterset.qs
    parents = goal_visible_parent_ids(user=request.user, goals=goals)
    # Plain tuples of the exported columns, not model instances with their joined rows:
    # building those cost 20 times the database's own work on a large period.
    levels, statuses, visibilities = (
        {value: str(label) for value, label in choices}
        for choices in (Goal.Level.choices, Goal.Status.choices, Goal.Visibility.choices)
    )
    rows = goals.values_list(
        "pk", "title", "level", "status", "owner__full_name", "period__name", "progress",
        "visibility",
    )  # fmt: skip
    for pk, title, level, status, owner, period_name, progress, visibility in rows.iterator(
        chunk_size=2000
    ):
        writer.writerow(
            [
                pk,
                _csv_cell(title),
                levels.get(level, level),
                statuses.get(status, status),
                _csv_cell(owner or ""),
                _csv_cell(period_name),
                progress,
                visibilities.get(visibility, visibility),
                "; ".join(f"{pid} ({kind})" for pid, kind in parents.get(pk, ())),
            ]
        )
    response.write(buffer.getvalue())
    return response
