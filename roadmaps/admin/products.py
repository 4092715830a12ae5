"""Products and their lifecycle, stage policies, visions and periods in the HR admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from productorg.errors import ApplicationError
from roles.admin import HRAdminOnly

from .. import services
from ..models import (
    STAGE_ORDER,
    LifecycleStage,
    Period,
    Product,
    ProductStageTransition,
    StagePolicy,
    Vision,
)
from ..resources import ProductResource
from .base import ListField, ReadOnlyInline, ServiceFormsAdmin

# --- Products and their lifecycle -----------------------------------------------------------


class StageTransitionInline(ReadOnlyInline):
    model = ProductStageTransition
    fields = ("changed_at", "from_stage", "to_stage", "changed_by", "reason")
    readonly_fields = fields
    ordering = ("-changed_at", "-id")
    verbose_name = "stage change"
    verbose_name_plural = "Lifecycle stage log"

    def get_queryset(self, request):
        # Each row is titled with str(transition), which names the product.
        return super().get_queryset(request).select_related("changed_by", "product")


class ProductTransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label="New stage", choices=LifecycleStage.choices)
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the product moves; kept in its stage log with your name.",
        error_messages={"required": "Give a reason: it is kept in the product's stage log."},
    )

    def __init__(self, *args, current_stage: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_stage:
            self.fields["to_stage"].choices = [
                c for c in LifecycleStage.choices if c[0] != current_stage
            ]

    def add_refusal(self, exc: ApplicationError) -> None:
        for name, errors in (exc.field_errors or {None: [exc.message]}).items():
            for message in errors:
                self.add_error(name if name in self.fields else None, message)


@admin.register(Product)
class ProductAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    delete_service = staticmethod(services.product_delete)
    instance_kwarg = "product"
    resource_classes = [ProductResource]
    inlines = [StageTransitionInline]
    actions = ["transition_selected"]

    list_display = ("name", "business_unit", "team", "owner", "stage", "stage_changed_at")
    list_select_related = ("business_unit", "team", "owner")
    list_filter = ("stage", ("business_unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "slug", "owner__full_name")
    autocomplete_fields = ("business_unit", "team", "owner")
    prepopulated_fields = {"slug": ("name",)}
    history_list_display = ("stage", "owner")

    def get_fields(self, request, obj=None):
        fields = ["name", "slug", "business_unit", "team", "owner", "vision_statement"]
        # The first stage is chosen when the product is created; later only a
        # transition (with a reason, logged) moves it.
        return [*fields, "stage"] if obj is None else [*fields, "lifecycle_stage"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("lifecycle_stage",)

    @admin.display(description="lifecycle stage")
    def lifecycle_stage(self, product: Product) -> str:
        url = reverse("admin:roadmaps_product_transition", args=[product.pk])
        since = product.stage_changed_at.date().isoformat() if product.stage_changed_at else "—"
        return format_html(
            '<strong>{}</strong> since {} · <a href="{}">Change stage…</a>',
            product.get_stage_display(),
            since,
            url,
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/",
                wrap(self.transition_view),
                name="roadmaps_product_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id):
        """Move one product to another stage: ``product_transition`` with a reason."""
        product = get_object_or_404(Product, pk=object_id)
        if not self.has_change_permission(request, product):
            raise PermissionDenied
        form = ProductTransitionForm(request.POST or None, current_stage=product.stage)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.product_transition(
                        product=product,
                        acting_user=request.user,
                        **form.cleaned_data,
                    )
            except ApplicationError as exc:
                form.add_refusal(exc)
            else:
                product.refresh_from_db()
                self.message_user(
                    request,
                    f"{product} moved to {product.get_stage_display()}.",
                    messages.SUCCESS,
                )
                return redirect("admin:roadmaps_product_change", product.pk)
        return self._transition_page(request, form, products=[product], original=product)

    @admin.action(description="Move selected products to another lifecycle stage…")
    def transition_selected(self, request, queryset):
        """Each selected product through ``product_transition``, with one reason."""
        form = ProductTransitionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            moved, refused = 0, []
            for product in queryset.order_by("name", "id"):
                try:
                    with transaction.atomic():
                        services.product_transition(
                            product=product, acting_user=request.user, **form.cleaned_data
                        )
                    moved += 1
                except ApplicationError as exc:
                    refused.append(f"{product}: {exc.message}")
            if moved:
                self.message_user(request, f"Moved {moved} product(s).", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return self._transition_page(request, form, products=list(queryset), action=True)

    def _transition_page(self, request, form, *, products, original=None, action=False):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Change the lifecycle stage",
            "form": form,
            "products": products,
            "original": original,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/roadmaps/product/transition.html", context)


@admin.register(StagePolicy)
class StagePolicyAdmin(ServiceFormsAdmin):
    """The stage table: what each lifecycle stage asks of a product, edited in the list."""

    update_service = staticmethod(services.stage_policy_update)
    instance_kwarg = "policy"

    list_display = ("stage", "review_cadence", "expected_metric_keys", "description")
    list_editable = ("review_cadence", "expected_metric_keys")
    fields = ("stage", "review_cadence", "expected_metric_keys", "description")
    readonly_fields = ("stage",)
    history_list_display = ("review_cadence", "expected_metric_keys")

    def get_ordering(self, request):
        # Lifecycle order, not alphabetical.
        return [
            Case(
                *(When(stage=stage, then=Value(i)) for i, stage in enumerate(STAGE_ORDER)),
                output_field=IntegerField(),
            )
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "expected_metric_keys":
            return ListField(
                separator=",",
                label="Expected metric keys",
                help_text="Metric keys, comma-separated (e.g. weekly_active_users, nps).",
                widget=forms.TextInput(attrs={"size": 50}),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request) -> bool:
        return False  # one policy per stage, seeded with the stages

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Visions and periods --------------------------------------------------------------------


class VisionAdminForm(forms.ModelForm):
    pillars = ListField(label="Strategy pillars", help_text="One pillar per line, in order.")

    class Meta:
        model = Vision
        fields = ("scope", "business_unit", "product", "statement", "pillars", "horizon")


@admin.register(Vision)
class VisionAdmin(ServiceFormsAdmin):
    form = VisionAdminForm
    create_service = staticmethod(services.vision_save)
    update_service = staticmethod(services.vision_save)
    delete_service = staticmethod(services.vision_delete)
    instance_kwarg = "vision"

    list_display = ("subject", "scope", "horizon", "statement", "updated_at")
    list_select_related = ("business_unit", "product")
    list_filter = ("scope",)
    search_fields = ("statement", "business_unit__name", "product__name")
    autocomplete_fields = ("business_unit", "product")
    history_list_display = ("statement", "pillars", "horizon")

    @admin.display(description="vision of")
    def subject(self, vision: Vision) -> str:
        return str(vision.product or vision.business_unit or "The company")


@admin.register(Period)
class PeriodAdmin(HRAdminOnly, admin.ModelAdmin):
    """Quarters, halves and years; periods keep no history of their own."""

    list_display = ("name", "kind", "start", "end", "goal_count")
    list_filter = ("kind",)
    search_fields = ("name",)
    ordering = ("-start", "end")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(goal_count=Count("goals"))

    @admin.display(description="goals", ordering="goal_count")
    def goal_count(self, period: Period) -> int:
        return period.goal_count

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "kind", "start", "end")}
        if change:
            current = Period.objects.get(pk=obj.pk)
            services.period_update(period=current, acting_user=request.user, **fields)
        else:
            obj.pk = services.period_create(acting_user=request.user, **fields).pk

    def delete_model(self, request, obj):
        services.period_delete(period=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for period in queryset:
            self.delete_model(request, period)

    def _with_refusal_message(self, view, request, *args):
        try:
            with transaction.atomic():
                return view(request, *args)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        return self._with_refusal_message(view, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._with_refusal_message(super().changelist_view, request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._with_refusal_message(super().delete_view, request, object_id, extra_context)
