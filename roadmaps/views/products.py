"""The products list and the product page with its stage transitions."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from productorg.errors import ApplicationError
from roles.models import BusinessUnit
from roles.selectors import business_unit_subtree

from ..filters import ProductFilterSet
from ..forms import StageTransitionForm
from ..models import LifecycleStage, Period, RoadmapItem
from ..selectors import (
    product_can_edit,
    product_get_for_page,
    product_goals_for_page,
    product_roadmap,
    product_stage_history_for_page,
    product_vision_and_policy,
)
from ..selectors import product_list as product_list_selector
from ..services import product_transition
from .common import wants_partial
from .metrics import product_metrics_context

PRODUCTS_PAGE_SIZE = 25
PRODUCT_FILTERS = ("search", "business_unit", "stage")
ROADMAP_STATUS_ORDER = ["in_progress", "planned", "idea", "done", "dropped"]


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
    filterset = ProductPageFilterSet(data, queryset=product_list_selector())
    page = Paginator(filterset.qs, PRODUCTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": data, "is_filtered": any(data.values())}
    if wants_partial(request):
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
    metric_upload_form=None,
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
        **product_metrics_context(
            product=product, policy=policy, can_edit=can_edit, upload_form=metric_upload_form
        ),
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
