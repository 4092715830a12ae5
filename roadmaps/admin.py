"""Strategy and goals in the HR admin: products, stage policies, visions, periods, goals.

Like the organisation's admin (``roles.admin``) it answers to HR admins only and writes
through the services, so what is derived stays derived: progress is never typed in, a
product's lifecycle stage moves only by a logged transition with a reason, and a goal
link that would close a cycle is refused by the same rule as in the pages and the API.
A rule a service refuses is shown on the form, next to the field it names (or above the
form), and nothing is saved.
"""

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
from roles.admin import HRAdminOnly, ServiceModelAdmin

from . import services
from .models import (
    STAGE_ORDER,
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    LifecycleStage,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    StagePolicy,
    Vision,
)
from .resources import GoalResource, ProductResource
from .selectors import goal_progress_explain

# --- Service refusals as form errors ------------------------------------------------------


class RefusalFormMixin:
    """Shows the service's refusal of the last save attempt as this form's errors.

    ``refusal`` is set per request (see :meth:`ServiceFormsAdmin.changeform_view`); it
    belongs to the form whose prefix it carries (``None``: the main form).
    """

    refusal: ApplicationError | None = None

    def clean(self):
        cleaned = super().clean()
        exc = self.refusal
        if exc is not None and getattr(exc, "form_prefix", None) == self.prefix:
            for name, errors in (exc.field_errors or {None: [exc.message]}).items():
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


def _with_refusal(form_class: type[forms.BaseForm], request) -> type[forms.BaseForm]:
    refusal = getattr(request, "_service_refusal", None)
    return type(form_class.__name__, (RefusalFormMixin, form_class), {"refusal": refusal})


class ServiceFormsAdmin(ServiceModelAdmin):
    """:class:`roles.admin.ServiceModelAdmin` whose refusals become form errors.

    The first attempt runs in a transaction; if a service refuses, everything is rolled
    back and the page is built again from the same POST, the refusal added to the form
    (or inline form) it came from, so the user sees it where they typed. Should the
    refusal fit no form, it is shown as a message instead.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _with_refusal(super().get_form(request, obj, change, **kwargs), request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # ServiceModelAdmin's own view turns refusals into messages: go one step past it.
        view = super(ServiceModelAdmin, self).changeform_view
        try:
            with transaction.atomic():
                return view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            request._service_refusal = exc
        return self._refusing(view, request, object_id, form_url, extra_context)

    def has_export_permission(self, request) -> bool:
        # Only models with an export of their own (named columns, not raw ids).
        return bool(self.resource_classes) and super().has_export_permission(request)


class ReadOnlyInline(HRAdminOnly, admin.TabularInline):
    """An inline HR admins see but cannot change here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _admin_link(obj, text=None) -> str:
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or obj)


class ListField(forms.CharField):
    """A list of texts in a text box: one per line, or (``separator=","``) comma-separated."""

    def __init__(self, *args, separator: str = "\n", **kwargs):
        self.separator = separator
        kwargs.setdefault("required", False)
        if separator == "\n":
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ("\n" if self.separator == "\n" else ", ").join(str(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        parts = text.splitlines() if self.separator == "\n" else text.split(self.separator)
        return [part.strip() for part in parts if part.strip()]


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


# --- Goals, links, key results, check-ins -----------------------------------------------------


class KeyResultInline(HRAdminOnly, admin.TabularInline):
    """Key results edited on their goal's page, each saved through its service."""

    model = KeyResult
    fields = (
        "title",
        "metric",
        "unit",
        "start_value",
        "target_value",
        "direction",
        "weight",
        "current_value",
        "progress",
    )
    readonly_fields = ("current_value", "progress")
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_hr(request)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _with_refusal(formset.form, request)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "metric":
            # Read the metrics once for every row, not once per row.
            field.choices = list(field.choices)
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("metric")


class ParentLinkInline(ReadOnlyInline):
    model = GoalLink
    fk_name = "child"
    fields = ("aligned_to", "period", "kind", "weight")
    readonly_fields = fields
    verbose_name = "goal it aligns to"
    verbose_name_plural = "Aligns to"

    def get_queryset(self, request):
        # Each row is titled with str(link), which names both goals.
        return super().get_queryset(request).select_related("child", "parent__period")

    @admin.display(description="goal")
    def aligned_to(self, link: GoalLink) -> str:
        return _admin_link(link.parent)

    @admin.display(description="period")
    def period(self, link: GoalLink) -> str:
        return str(link.parent.period)


class ChildLinkInline(ReadOnlyInline):
    model = GoalLink
    fk_name = "parent"
    fields = ("aligned_from", "owner", "kind", "weight")
    readonly_fields = fields
    verbose_name = "goal aligned to this one"
    verbose_name_plural = "Aligned to it"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child__owner", "parent")

    @admin.display(description="goal")
    def aligned_from(self, link: GoalLink) -> str:
        return _admin_link(link.child)

    @admin.display(description="owner")
    def owner(self, link: GoalLink) -> str:
        return str(link.child.owner or "—")


@admin.register(Goal)
class GoalAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.goal_create)
    update_service = staticmethod(services.goal_update)
    delete_service = staticmethod(services.goal_delete)
    instance_kwarg = "goal"
    resource_classes = [GoalResource]
    inlines = [KeyResultInline, ParentLinkInline, ChildLinkInline]

    list_display = ("title", "level", "owner", "period", "status", "visibility", "progress")
    list_select_related = ("owner", "period")
    list_filter = ("period", "level", "status", "visibility")
    search_fields = ("title",)
    autocomplete_fields = ("owner", "product", "business_unit", "team")
    readonly_fields = ("progress", "last_check_in_at")
    fieldsets = (
        (None, {"fields": ("title", "description", "level", "period", "owner")}),
        ("Scope", {"fields": ("product", "business_unit", "team")}),
        (
            "Tracking",
            {
                "fields": (
                    "status",
                    "confidence",
                    "visibility",
                    "check_in_cadence",
                    "progress",
                    "last_check_in_at",
                )
            },
        ),
    )
    history_list_display = ("status", "owner", "period")

    def save_formset(self, request, form, formset, change):
        if formset.model is not KeyResult:
            return super().save_formset(request, form, formset, change)
        goal = form.instance
        names = [f for f in KeyResultInline.fields if f not in KeyResultInline.readonly_fields]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            key_result = inline_form.instance
            try:
                if inline_form in formset.deleted_forms:
                    if key_result.pk is not None:
                        services.key_result_delete(key_result=key_result, acting_user=request.user)
                        formset.deleted_objects.append(key_result)
                    continue
                if not inline_form.has_changed():
                    continue
                data = {n: inline_form.cleaned_data[n] for n in names}
                if key_result.pk is None:
                    saved = services.key_result_create(goal=goal, acting_user=request.user, **data)
                    formset.new_objects.append(saved)
                else:
                    current = KeyResult.objects.get(pk=key_result.pk)
                    services.key_result_update(key_result=current, acting_user=request.user, **data)
                    formset.changed_objects.append((current, inline_form.changed_data))
            except ApplicationError as exc:
                exc.form_prefix = inline_form.prefix
                raise

    def change_view(self, request, object_id, form_url="", extra_context=None):
        goal = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if goal is not None:
            extra_context["progress_explanation"] = goal_progress_explain(
                user=request.user, goal=goal
            )
        return super().change_view(request, object_id, form_url, extra_context)


class GoalLinkAdminForm(forms.ModelForm):
    class Meta:
        model = GoalLink
        fields = ("child", "parent", "kind", "weight")
        labels = {"child": "Goal", "parent": "Aligns to"}


@admin.register(GoalLink)
class GoalLinkAdmin(ServiceFormsAdmin):
    """Links between goals, made by ``goal_link_create`` (no cycles, overlapping periods)."""

    form = GoalLinkAdminForm
    create_service = staticmethod(services.goal_link_create)
    update_service = staticmethod(services.goal_link_update)
    delete_service = staticmethod(services.goal_link_delete)
    instance_kwarg = "link"

    list_display = ("child", "child_period", "kind", "weight", "parent", "parent_period")
    list_select_related = ("child__period", "parent__period")
    list_filter = ("kind", "child__period")
    search_fields = ("child__title", "parent__title")
    autocomplete_fields = ("child", "parent")
    history_list_display = ("kind", "weight")

    def get_readonly_fields(self, request, obj=None):
        # A link is re-pointed by deleting it and making another (the rules apply anew).
        return () if obj is None else ("child", "parent")

    @admin.display(description="period", ordering="child__period__start")
    def child_period(self, link: GoalLink) -> str:
        return str(link.child.period)

    @admin.display(description="period", ordering="parent__period__start")
    def parent_period(self, link: GoalLink) -> str:
        return str(link.parent.period)


@admin.register(KeyResult)
class KeyResultAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.key_result_create)
    update_service = staticmethod(services.key_result_update)
    delete_service = staticmethod(services.key_result_delete)
    instance_kwarg = "key_result"

    list_display = (
        "title",
        "goal",
        "start_value",
        "target_value",
        "current_value",
        "weight",
        "progress",
    )
    list_select_related = ("goal",)
    list_filter = ("direction", "goal__period")
    search_fields = ("title", "goal__title")
    autocomplete_fields = ("goal",)
    fields = (
        "goal",
        "title",
        "metric",
        "unit",
        "start_value",
        "target_value",
        "direction",
        "weight",
        "current_value",
        "progress",
    )
    history_list_display = ("target_value", "weight")

    def get_readonly_fields(self, request, obj=None):
        # Check-ins move the current value; a key result stays on its goal.
        readonly = ("current_value", "progress")
        return readonly if obj is None else ("goal", *readonly)


@admin.register(CheckIn)
class CheckInAdmin(HRAdminOnly, admin.ModelAdmin):
    """Check-ins, read only: they are recorded by their authors and move progress."""

    list_display = ("created_at", "key_result", "goal", "author", "value", "confidence", "note")
    list_select_related = ("key_result__goal", "author")
    list_filter = ("key_result__goal__period",)
    search_fields = ("key_result__title", "key_result__goal__title", "author__full_name")
    show_full_result_count = False

    @admin.display(description="goal")
    def goal(self, check_in: CheckIn) -> str:
        return str(check_in.key_result.goal)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Roadmaps -------------------------------------------------------------------------------


@admin.register(RoadmapItem)
class RoadmapItemAdmin(ServiceFormsAdmin):
    delete_service = staticmethod(services.roadmap_item_delete)
    instance_kwarg = "item"

    list_display = (
        "title",
        "product",
        "horizon",
        "target_period",
        "status",
        "owner",
        "estimate_weeks",
        "served_goals",
    )
    list_select_related = ("product", "target_period", "owner")
    list_filter = ("horizon", "status", "target_period")
    search_fields = ("title", "product__name")
    autocomplete_fields = ("product", "owner", "goals")
    history_list_display = ("horizon", "status", "owner")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(goal_count=Count("goals"))

    @admin.display(description="goals served", ordering="goal_count")
    def served_goals(self, item: RoadmapItem) -> int:
        return item.goal_count

    def save_model(self, request, obj, form, change):
        fields = self._model_fields(form)
        current = RoadmapItem.objects.get(pk=obj.pk) if change else None
        saved = services.roadmap_item_save(
            item=current, goals=list(form.cleaned_data["goals"]), acting_user=request.user, **fields
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        # The goals were set by roadmap_item_save; only inlines (none) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
