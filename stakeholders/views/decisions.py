"""The decision log: a searchable list per product and goal, and each decision's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from roadmaps.models import Product
from roadmaps.selectors import goal_get_visible

from ..filters import DecisionFilterSet
from ..selectors import decision_get_visible, decision_list
from .common import wants_partial

DECISIONS_PAGE_SIZE = 20


@require_GET
def decision_index(request: HttpRequest) -> HttpResponse:
    """Decisions newest first, by product, goal (``?goal=`` from a goal's page) and words
    (``?q=``); the same URL serves the page and, to htmx, only the results."""
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "product": request.GET.get("product", "").strip()[:20],
        "goal": request.GET.get("goal", "").strip()[:20],
    }
    data = {"search": filters["q"], "product": filters["product"], "goal": filters["goal"]}
    filterset = DecisionFilterSet(data, queryset=decision_list(user=request.user), request=request)
    page = Paginator(filterset.qs, DECISIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    goal = None
    if filters["goal"].isdigit() and "goal" not in filterset.errors:
        goal = goal_get_visible(user=request.user, goal_id=int(filters["goal"]))
    context = {
        "page": page,
        "filters": filters,
        "goal": goal,
        "is_filtered": any(filters.values()),
    }
    if wants_partial(request):
        response = render(request, "stakeholders/_decision_results.html", context)
    else:
        context["products"] = Product.objects.order_by("name", "id").only("id", "name")
        response = render(request, "stakeholders/decisions.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One decision: its context, the options considered, what was decided and why, who
    decided and who was consulted."""
    decision = decision_get_visible(user=request.user, decision_id=decision_id)
    options = [
        option if isinstance(option, str) else option.get("title") or str(option)
        for option in (decision.options or [])
    ]
    return render(
        request, "stakeholders/decision_detail.html", {"decision": decision, "options": options}
    )
