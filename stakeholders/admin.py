"""Stakeholders, alignment, reviews, decisions and the outbox in the HR admin.

Like the rest of the admin it answers to HR admins only and writes through the services,
so a review's recurrence is validated, a series' schedule stays consistent and a refused
change shows on the form. The outbox is read-only: rows are written by the reminder jobs.
"""

from __future__ import annotations

from django.contrib import admin

from roadmaps.admin.base import ServiceFormsAdmin
from roles.admin import HRAdminOnly

from . import services
from .models import Alignment, Decision, Notification, Review, Stakeholder


@admin.register(Stakeholder)
class StakeholderAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.stakeholder_save)
    update_service = staticmethod(services.stakeholder_save)
    delete_service = staticmethod(services.stakeholder_delete)
    instance_kwarg = "stakeholder"

    list_display = ("__str__", "organisation", "function", "influence", "interest", "quadrant")
    list_select_related = ("person",)
    list_filter = ("function", "quadrant")
    search_fields = ("name", "organisation", "email", "person__full_name", "person__email")
    autocomplete_fields = ("person",)
    readonly_fields = ("quadrant",)


@admin.register(Alignment)
class AlignmentAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.alignment_save)
    update_service = staticmethod(services.alignment_save)
    delete_service = staticmethod(services.alignment_delete)
    instance_kwarg = "alignment"

    list_display = (
        "stakeholder",
        "product",
        "goal",
        "status",
        "cadence",
        "last_confirmed_at",
        "next_touchpoint_due",
    )
    list_select_related = ("stakeholder__person", "product", "goal")
    list_filter = ("status", "cadence")
    search_fields = (
        "stakeholder__name",
        "stakeholder__person__full_name",
        "product__name",
        "goal__title",
    )
    autocomplete_fields = ("stakeholder", "product", "goal")
    date_hierarchy = "next_touchpoint_due"


@admin.register(Review)
class ReviewAdmin(ServiceFormsAdmin):
    update_service = staticmethod(services.review_update)
    delete_service = staticmethod(services.review_delete)
    instance_kwarg = "review"

    fields = (
        "kind",
        "title",
        "owner",
        "participants",
        "goal",
        "product",
        "person",
        "due_at",
        "time_zone",
        "recurrence",
        "reminder_lead",
        "status",
        "missed",
        "occurrence",
        "outcome",
        "completed_at",
    )
    readonly_fields = ("status", "missed", "occurrence", "outcome", "completed_at")
    list_display = (
        "title",
        "kind",
        "owner",
        "due_at",
        "recurrence",
        "status",
        "occurrence",
        "missed",
    )
    list_select_related = ("owner",)
    list_filter = ("status", "kind", "missed")
    search_fields = ("title", "owner__full_name", "outcome")
    autocomplete_fields = ("owner", "participants", "goal", "product", "person")
    date_hierarchy = "due_at"

    EDITABLE = (
        "kind",
        "title",
        "owner",
        "goal",
        "product",
        "person",
        "due_at",
        "time_zone",
        "recurrence",
        "reminder_lead",
    )

    def save_model(self, request, obj, form, change) -> None:
        data = {
            name: form.cleaned_data[name] for name in self.EDITABLE if name in form.cleaned_data
        }
        participants = list(form.cleaned_data.get("participants") or [])
        if change:
            services.review_update(
                review=Review.objects.get(pk=obj.pk),
                participants=participants,
                acting_user=request.user,
                **data,
            )
        else:
            subject = {
                k: data.pop(k) for k in ("goal", "product", "person") if data.get(k) is not None
            }
            for k in ("goal", "product", "person"):
                data.pop(k, None)
            saved = services.review_create(
                participants=participants, acting_user=request.user, **data, **subject
            )
            obj.pk = saved.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        # Participants were set by the service; the form must not set them again.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Decision)
class DecisionAdmin(ServiceFormsAdmin):
    create_service = staticmethod(services.decision_record)
    update_service = staticmethod(services.decision_record)
    delete_service = staticmethod(services.decision_delete)
    instance_kwarg = "entry"

    list_display = ("title", "decided_on", "decided_by", "product", "goal")
    list_select_related = ("decided_by", "product", "goal")
    list_filter = ("decided_on",)
    search_fields = ("title", "context", "decision", "rationale")
    autocomplete_fields = ("decided_by", "product", "goal", "consulted")
    filter_horizontal = ("metrics",)
    date_hierarchy = "decided_on"


@admin.register(Notification)
class NotificationAdmin(HRAdminOnly, admin.ModelAdmin):
    list_display = (
        "subject",
        "recipient",
        "kind",
        "channel",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_select_related = ("recipient",)
    list_filter = ("status", "channel", "kind")
    search_fields = ("subject", "dedupe_key", "recipient__full_name", "recipient__email")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
