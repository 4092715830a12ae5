"""Serializers of the stakeholders API: input validation and output shape only.

Domain rules (recurrence, time zones, closed reviews, one subject per alignment in the
database) are the services'; who may do what is the views'. A field that names a goal
accepts only one the caller may see, so a hidden goal's id is refused exactly like an
id that does not exist.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from roadmaps.api.serializers import CanEditMixin, VisibleGoalField
from roadmaps.models import Metric
from roles.models import Person

from ..models import Alignment, Decision, Notification, Review, Stakeholder
from ..selectors import (
    alignment_can_confirm,
    alignment_can_manage,
    decision_can_edit,
    review_can_edit,
    review_is_private,
    stakeholder_can_edit,
)


def _name_of(source: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        source=source, read_only=True, allow_null=True, help_text=help_text
    )


def _user(serializer: serializers.Field | serializers.Serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _person_name(user) -> str | None:
    if user is None:
        return None
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


def _subject_fixed(serializer: serializers.ModelSerializer, attrs: dict, *names: str) -> None:
    """Refuse a change of the fields that say what an existing object is about."""
    if serializer.instance is None:
        return
    for name in names:
        if name in attrs and attrs[name] != getattr(serializer.instance, name):
            raise serializers.ValidationError(
                {name: ["This cannot change; delete it and create another."]}
            )


# --- Stakeholders ----------------------------------------------------------------------


class StakeholderSerializer(CanEditMixin, serializers.ModelSerializer):
    person_name = _name_of("person.full_name", "Full name of the person, for a colleague.")
    display_name = serializers.CharField(
        read_only=True, help_text="The contact's name, or the person's full name."
    )
    quadrant = serializers.ChoiceField(
        choices=Stakeholder.Quadrant.choices,
        read_only=True,
        help_text="Derived from influence and interest (3 or more is high): manage_closely "
        "(both high), keep_satisfied (influence), keep_informed (interest), monitor.",
    )

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "person",
            "person_name",
            "name",
            "display_name",
            "organisation",
            "email",
            "function",
            "influence",
            "interest",
            "quadrant",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "person": {
                "help_text": "Id of the person, for a colleague (at most one stakeholder each); "
                "leave empty and give a name for an external contact."
            },
            "influence": {"help_text": "1 (little) to 5 (decisive)."},
            "interest": {"help_text": "1 (little) to 5 (keen)."},
        }

    def may_edit(self, obj) -> bool:
        return stakeholder_can_edit(user=_user(self))


# --- Alignments ------------------------------------------------------------------------

ONE_SUBJECT = "An alignment is about one product or one goal."


class AlignmentSerializer(CanEditMixin, serializers.ModelSerializer):
    stakeholder_name = serializers.CharField(
        source="stakeholder.display_name", read_only=True, help_text="Name of the stakeholder."
    )
    product_name = _name_of("product.name", "Name of the product.")
    goal = VisibleGoalField(
        required=False, allow_null=True, help_text="Id of the goal (a goal you may see)."
    )
    goal_title = _name_of("goal.title", "Title of the goal.")
    overdue = serializers.SerializerMethodField(
        help_text="Whether the next touchpoint was due before today."
    )
    can_confirm = serializers.SerializerMethodField(
        help_text="Whether the caller may confirm it (`POST …/confirm/`): the stakeholder "
        "themself, or for an external contact whoever manages the alignment."
    )

    class Meta:
        model = Alignment
        fields = [
            "id",
            "stakeholder",
            "stakeholder_name",
            "product",
            "product_name",
            "goal",
            "goal_title",
            "status",
            "cadence",
            "last_confirmed_at",
            "next_touchpoint_due",
            "overdue",
            "note",
            "can_edit",
            "can_confirm",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_confirmed_at"]
        extra_kwargs = {
            "product": {"help_text": "Id of the product (or give a goal instead)."},
            "last_confirmed_at": {
                "help_text": "When the stakeholder last confirmed where they stand."
            },
            "next_touchpoint_due": {
                "help_text": "When to check again; one cadence after the last confirmation "
                "(or creation) unless given."
            },
        }
        # One alignment per stakeholder and subject is the database's rule; the service
        # reports it.
        validators = []

    def validate(self, attrs):
        _subject_fixed(self, attrs, "stakeholder", "product", "goal")
        product = attrs.get("product", getattr(self.instance, "product", None))
        goal = attrs.get("goal", getattr(self.instance, "goal", None))
        if (product is None) == (goal is None):
            raise serializers.ValidationError({"non_field_errors": [ONE_SUBJECT]})
        if self.instance is None:
            # The database refuses a second one too, but names only its constraint.
            stakeholder = attrs["stakeholder"]
            subject = {"product": product} if product is not None else {"goal": goal}
            if Alignment.objects.filter(stakeholder=stakeholder, **subject).exists():
                raise serializers.ValidationError(
                    {
                        "stakeholder": [
                            f"{stakeholder.display_name} is already aligned on "
                            f"{product or goal.title}; change that alignment instead."
                        ]
                    }
                )
        return attrs

    def may_edit(self, obj) -> bool:
        return alignment_can_manage(user=_user(self), product=obj.product, goal=obj.goal)

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, obj) -> bool:
        due = obj.next_touchpoint_due
        return due is not None and due < timezone.localdate()

    @extend_schema_field(serializers.BooleanField())
    def get_can_confirm(self, obj) -> bool:
        return alignment_can_confirm(user=_user(self), alignment=obj)


class AlignmentConfirmSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Alignment.Status.choices,
        required=False,
        help_text="Where the stakeholder stands now; unchanged when left out.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="Why; unchanged when left out."
    )


# --- Reviews ---------------------------------------------------------------------------


class ReviewSerializer(CanEditMixin, serializers.ModelSerializer):
    goal = VisibleGoalField(
        required=False, allow_null=True, help_text="Id of the goal (a goal you may see)."
    )
    goal_title = _name_of("goal.title", "Title of the goal.")
    product_name = _name_of("product.name", "Name of the product.")
    person_name = _name_of("person.full_name", "Full name of the person it is about.")
    owner_name = _name_of("owner.full_name", "Full name of the owner.")
    participants = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Person.objects.all(),
        required=False,
        help_text="Ids of the people taking part (they read it and are reminded).",
    )
    private = serializers.SerializerMethodField(
        help_text="One-to-ones, career reviews and reviews about a person are private: seen "
        "only by that person, the owner, the participants, the management chains above "
        "them and HR admins."
    )
    completed_by_name = serializers.SerializerMethodField(
        help_text="Who completed it: their full name, or their login without a person."
    )
    time_zone = serializers.CharField(
        required=False,
        max_length=64,
        help_text="An IANA time zone (e.g. Europe/Berlin); a recurring review keeps its "
        "local time there across daylight-saving changes. The server's by default.",
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "kind",
            "title",
            "goal",
            "goal_title",
            "product",
            "product_name",
            "person",
            "person_name",
            "owner",
            "owner_name",
            "participants",
            "private",
            "series",
            "occurrence",
            "anchor_at",
            "due_at",
            "time_zone",
            "recurrence",
            "reminder_lead",
            "status",
            "missed",
            "outcome",
            "completed_at",
            "completed_by_name",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "series",
            "occurrence",
            "anchor_at",
            "status",
            "missed",
            "outcome",
            "completed_at",
        ]
        extra_kwargs = {
            "owner": {
                "required": False,
                "help_text": "Id of the owner. Defaults to the caller; members may name "
                "themselves or anyone who reports to them.",
            },
            "product": {"help_text": "Id of the product it is about."},
            "person": {"help_text": "Id of the person a one-to-one or career review is about."},
            "series": {"help_text": "Id of the series' first occurrence (null on that one)."},
            "status": {
                "help_text": "scheduled, overdue, done or skipped; closed only through "
                "`POST /api/v1/reviews/{id}/complete/`."
            },
            "recurrence": {
                "help_text": "Empty (once), weekly, biweekly, monthly, quarterly or an RFC 5545 "
                "rule (`RRULE:FREQ=MONTHLY;BYDAY=1MO`). Changes only on a series' first "
                "occurrence."
            },
            "reminder_lead": {
                "help_text": "How long before the due time to remind, e.g. `1 00:00:00`."
            },
        }

    def may_edit(self, obj) -> bool:
        return review_can_edit(user=_user(self), review=obj)

    @extend_schema_field(serializers.BooleanField())
    def get_private(self, obj) -> bool:
        return review_is_private(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_completed_by_name(self, obj) -> str | None:
        return _person_name(obj.completed_by)


class ReviewCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What came out of it."
    )
    skipped = serializers.BooleanField(
        required=False, default=False, help_text="true: it was not held (status skipped)."
    )


class ReviewCompletionSerializer(serializers.Serializer):
    completed = ReviewSerializer(help_text="The occurrence just closed.")
    next = ReviewSerializer(
        allow_null=True,
        help_text="The series' next occurrence, now scheduled; null when the review does "
        "not recur or its rule has ended.",
    )


# --- Decisions -------------------------------------------------------------------------


class DecisionSerializer(CanEditMixin, serializers.ModelSerializer):
    options = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The options considered, in order.",
    )
    decided_by_name = _name_of("decided_by.full_name", "Full name of who decided.")
    product_name = _name_of("product.name", "Name of the product.")
    goal = VisibleGoalField(
        required=False, allow_null=True, help_text="Id of the goal (a goal you may see)."
    )
    goal_title = _name_of("goal.title", "Title of the goal.")
    consulted = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Stakeholder.objects.all(),
        required=False,
        help_text="Ids of the stakeholders consulted.",
    )
    metrics = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Metric.objects.all(),
        required=False,
        help_text="Ids of the metrics it concerns.",
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "title",
            "context",
            "options",
            "decision",
            "rationale",
            "decided_by",
            "decided_by_name",
            "decided_on",
            "consulted",
            "product",
            "product_name",
            "goal",
            "goal_title",
            "metrics",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "decided_by": {
                "required": False,
                "help_text": "Id of the person who decided. Defaults to the caller.",
            },
            "decided_on": {"required": False, "help_text": "The date; today by default."},
            "product": {"help_text": "Id of the product it concerns."},
        }

    def may_edit(self, obj) -> bool:
        return decision_can_edit(
            user=_user(self), product=obj.product, goal=obj.goal, decided_by=obj.decided_by
        )


# --- Notifications ---------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField(help_text="Whether it is not read yet.")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "url",
            "channel",
            "status",
            "unread",
            "created_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = [name for name in fields if name != "unread"]
        extra_kwargs = {
            "status": {"help_text": "Delivery: pending, sent or failed."},
            "url": {"help_text": "The page it is about, relative to the site."},
        }

    @extend_schema_field(serializers.BooleanField())
    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
