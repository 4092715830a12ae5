"""Goals, their links, key results and check-ins, and roadmap items in the HR admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count

from productorg.errors import ApplicationError
from roles.admin import HRAdminOnly

from .. import services
from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    RoadmapItem,
)
from ..resources import GoalResource
from ..selectors import goal_progress_explain
from .base import ReadOnlyInline, ServiceFormsAdmin, admin_link, with_refusal

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
        formset.form = with_refusal(formset.form, request)
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
        return admin_link(link.parent)

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
        return admin_link(link.child)

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
