"""Metrics in the HR admin: definitions (with history), readings and their CSV upload,
and the roll-ups the database computes (read-only).

Readings are never typed in one by one here: they arrive by file (this upload, the
product page's, the bulk API) through ``roadmaps.observations``, which keeps them
idempotent and marks the roll-ups to recompute. Roll-ups are derived and read-only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from roles.admin import HRAdminOnly

from .. import metric_services
from ..metric_uploads import CSV_COLUMNS, MetricUploadForm, row_error_lines
from ..models import Metric, MetricObservation, MetricRollup, Product
from .base import ServiceFormsAdmin


@admin.register(Metric)
class MetricAdmin(ServiceFormsAdmin):
    """KPI definitions: how each number is named, aggregated and which way is better."""

    create_service = staticmethod(metric_services.metric_create)
    update_service = staticmethod(metric_services.metric_update)
    delete_service = staticmethod(metric_services.metric_delete)
    instance_kwarg = "metric"

    list_display = ("key", "name", "unit", "aggregation", "direction", "owner", "product")
    list_select_related = ("owner", "product")
    list_filter = ("aggregation", "direction", ("product", admin.RelatedOnlyFieldListFilter))
    search_fields = ("key", "name", "description")
    autocomplete_fields = ("owner", "product")
    prepopulated_fields = {"key": ("name",)}
    fields = ("key", "name", "unit", "aggregation", "direction", "owner", "product", "description")
    history_list_display = ("name", "aggregation", "direction")
    ordering = ("key",)


class ReadOnlyAdmin(HRAdminOnly, admin.ModelAdmin):
    """Rows HR admins read here but never change by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProductFilter(admin.SimpleListFilter):
    """Readings of one product, chosen by clicking it in the list (or searching for it):
    the side bar names the chosen product instead of listing thousands."""

    title = "product"
    parameter_name = "product__id__exact"

    def lookups(self, request, model_admin):
        value = self.value()
        product = Product.objects.filter(pk=value).first() if (value or "").isdigit() else None
        return [(str(product.pk), product.name)] if product else []

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(product_id=value) if (value or "").isdigit() else queryset


@admin.register(MetricObservation)
class MetricObservationAdmin(ReadOnlyAdmin):
    """Readings of metrics per product, with a CSV upload (all or nothing)."""

    change_list_template = "admin/roadmaps/metricobservation/change_list.html"
    list_display = ("timestamp", "metric", "product_readings", "value", "source", "updated_at")
    list_select_related = ("metric", "product")
    list_filter = ("metric", ProductFilter, "source")
    search_fields = ("metric__key", "product__name", "product__slug", "source")
    search_help_text = "A metric's key or name, a product's name or slug, or a source."
    date_hierarchy = "timestamp"
    ordering = ("-id",)  # see get_ordering
    # Millions of readings: no second COUNT of the whole table under a filter.
    show_full_result_count = False
    list_per_page = 100

    def get_search_results(self, request, queryset, search_term):
        # The matching metrics and products first (small tables), then their readings by
        # index: never a text search joined over millions of readings.
        term = search_term.strip()
        if not term:
            return queryset, False
        metrics = Metric.objects.filter(Q(key__icontains=term) | Q(name__icontains=term))
        products = Product.objects.filter(Q(name__icontains=term) | Q(slug__icontains=term))
        matches = (
            Q(metric__in=metrics.values("pk"))
            | Q(product__in=products.values("pk"))
            | Q(source=term)
        )
        return queryset.filter(matches), False

    @admin.display(description="product", ordering="product__name")
    def product_readings(self, reading: MetricObservation) -> str:
        return format_html(
            '<a href="?{}={}" title="Only this product\'s readings">{}</a>',
            ProductFilter.parameter_name,
            reading.product_id,
            reading.product.name,
        )

    def get_ordering(self, request):
        # Latest first. Readings are indexed by (metric, timestamp) and by product: by
        # time within one metric or product; otherwise newest written first (the primary
        # key), so that the first page never sorts millions of rows.
        if request.GET.get("metric__id__exact") or request.GET.get(ProductFilter.parameter_name):
            return ("-timestamp", "-id")
        return ("-id",)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/",
                wrap(self.upload_view),
                name="roadmaps_metricobservation_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """Upload a CSV of readings; every bad row is listed and nothing is written."""
        if not self._is_hr(request):
            raise PermissionDenied
        form = MetricUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            outcome = form.save(acting_user=request.user)
            if outcome is not None:
                self.message_user(request, outcome.summary(), messages.SUCCESS)
                return redirect("admin:roadmaps_metricobservation_changelist")
        outcome = form.outcome
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Upload metric readings",
            "form": form,
            "columns": CSV_COLUMNS,
            "row_errors": row_error_lines(outcome.row_errors) if outcome else [],
            "hidden_row_errors": outcome.hidden_row_errors if outcome else 0,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/roadmaps/metricobservation/upload.html", context, status=status
        )


@admin.register(MetricRollup)
class MetricRollupAdmin(ReadOnlyAdmin):
    """Roll-ups per scope and period, computed by the roll-up job (read-only)."""

    list_display = (
        "metric",
        "scope",
        "scope_id",
        "grain",
        "period_start",
        "value",
        "observation_count",
        "last_observed_at",
        "computed_at",
    )
    list_select_related = ("metric",)
    list_filter = ("scope", "grain", "metric")
    search_fields = ("metric__key", "metric__name")
    date_hierarchy = "period_start"
    ordering = ("metric", "scope", "scope_id", "grain", "-period_start")
    show_full_result_count = False
