"""Serializers of the strategy and goals API: input validation and output shape only.

Domain rules (cycles, periods, lifecycle reasons, targets) are the services'; who may
do what is the views'. Fields that name a goal or a key result accept only one the
caller may see, so a hidden goal's id is refused exactly like an id that does not
exist.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    LifecycleStage,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    Vision,
)
from ..selectors import (
    goal_can_edit,
    goal_visible_queryset,
    key_result_list,
    product_can_edit,
    vision_can_edit,
)


def _name_of(source: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        source=source, read_only=True, allow_null=True, help_text=help_text
    )


def _user(serializer: serializers.Field | serializers.Serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class VisibleGoalField(serializers.PrimaryKeyRelatedField):
    """A goal id, among the goals the caller may see."""

    def get_queryset(self):
        return goal_visible_queryset(user=_user(self))


class VisibleKeyResultField(serializers.PrimaryKeyRelatedField):
    """A key result id, among the key results of goals the caller may see."""

    def get_queryset(self):
        return key_result_list(user=_user(self))


class CanEditMixin(serializers.Serializer):
    can_edit = serializers.SerializerMethodField(
        help_text="Whether the caller may change (and delete) this object."
    )

    def may_edit(self, obj) -> bool:
        raise NotImplementedError

    @extend_schema_field(serializers.BooleanField())
    def get_can_edit(self, obj) -> bool:
        return self.may_edit(obj)


# --- Products ---------------------------------------------------------------------------


class ProductSerializer(CanEditMixin, serializers.ModelSerializer):
    business_unit_name = _name_of("business_unit.name", "Name of the business unit.")
    team_name = _name_of("team.name", "Name of the team.")
    owner_name = _name_of("owner.full_name", "Full name of the owner.")
    stage = serializers.ChoiceField(
        choices=LifecycleStage.choices,
        required=False,
        help_text="The lifecycle stage. Given when the product is created (discovery by "
        "default); afterwards it changes only through `POST /api/v1/products/{id}/transition/`.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "business_unit",
            "business_unit_name",
            "team",
            "team_name",
            "owner",
            "owner_name",
            "vision_statement",
            "stage",
            "stage_changed_at",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage_changed_at"]
        extra_kwargs = {"owner": {"help_text": "Id of the owner (a PM)."}}

    def may_edit(self, obj) -> bool:
        return product_can_edit(user=_user(self), product=obj)


class StageTransitionSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.SerializerMethodField(
        help_text="Who moved the product: their full name, or their login without a person."
    )

    class Meta:
        model = ProductStageTransition
        fields = ["id", "from_stage", "to_stage", "changed_at", "changed_by_name", "reason"]

    def get_changed_by_name(self, obj) -> str | None:
        user = obj.changed_by
        if user is None:
            return None
        person = getattr(user, "person", None)
        return person.full_name if person is not None else user.get_username()


class ProductDetailSerializer(ProductSerializer):
    stage_history = StageTransitionSerializer(
        source="stage_transitions",
        many=True,
        read_only=True,
        help_text="Every move between lifecycle stages, newest first (the first is the creation).",
    )

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "stage_history"]


class ProductTransitionSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(
        choices=LifecycleStage.choices, help_text="The lifecycle stage to move to."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why. Required to move back a stage, to leave retirement and to retire.",
    )


# --- Periods and visions ----------------------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "name", "kind", "start", "end"]


class VisionSerializer(CanEditMixin, serializers.ModelSerializer):
    business_unit_name = _name_of("business_unit.name", "Name of the business unit.")
    product_name = _name_of("product.name", "Name of the product.")
    pillars = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The strategy pillars, in order.",
    )
    history_count = serializers.IntegerField(
        read_only=True,
        help_text="How many versions history keeps (the current one included); "
        "`GET /api/v1/visions/{id}/history/` lists them.",
    )

    class Meta:
        model = Vision
        fields = [
            "id",
            "scope",
            "business_unit",
            "business_unit_name",
            "product",
            "product_name",
            "statement",
            "pillars",
            "horizon",
            "history_count",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "business_unit": {"help_text": "The unit, for a business-unit vision only."},
            "product": {"help_text": "The product, for a product vision only."},
        }
        # One vision per subject is the database's rule; the service reports it.
        validators = []

    def may_edit(self, obj) -> bool:
        return vision_can_edit(user=_user(self), scope=obj.scope, product=obj.product)


class VisionVersionSerializer(serializers.Serializer):
    CHANGES = {"+": "created", "~": "changed", "-": "deleted"}

    history_id = serializers.IntegerField(help_text="Id of this version.")
    history_date = serializers.DateTimeField(help_text="When this version was saved.")
    change = serializers.SerializerMethodField(help_text="created, changed or deleted.")
    changed_by_name = serializers.SerializerMethodField(
        help_text="Who saved it: their full name, or their login without a person."
    )
    scope = serializers.CharField()
    statement = serializers.CharField()
    pillars = serializers.ListField(child=serializers.CharField())
    horizon = serializers.CharField()

    def get_change(self, obj) -> str:
        return self.CHANGES.get(obj.history_type, obj.history_type)

    def get_changed_by_name(self, obj) -> str | None:
        user = obj.history_user
        if user is None:
            return None
        person = getattr(user, "person", None)
        return person.full_name if person is not None else user.get_username()


# --- Goals ------------------------------------------------------------------------------


class GoalSerializer(CanEditMixin, serializers.ModelSerializer):
    owner_name = _name_of("owner.full_name", "Full name of the owner.")
    period_name = _name_of("period.name", "Name of the period.")
    product_name = _name_of("product.name", "Name of the product.")
    business_unit_name = _name_of("business_unit.name", "Name of the business unit.")
    team_name = _name_of("team.name", "Name of the team.")

    class Meta:
        model = Goal
        fields = [
            "id",
            "title",
            "description",
            "level",
            "owner",
            "owner_name",
            "product",
            "product_name",
            "business_unit",
            "business_unit_name",
            "team",
            "team_name",
            "period",
            "period_name",
            "status",
            "confidence",
            "visibility",
            "check_in_cadence",
            "progress",
            "last_check_in_at",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["progress", "last_check_in_at"]
        extra_kwargs = {
            "owner": {
                "required": False,
                "help_text": "Id of the owner (a person). Defaults to the caller; members "
                "may name themselves or anyone who reports to them.",
            },
            "progress": {
                "help_text": "0–100, derived from the key results and the contributing "
                "child goals; `GET /api/v1/goals/{id}/progress-explanation/` shows how."
            },
            "visibility": {
                "help_text": "private: seen only by the owner, their management chain and "
                "HR admins."
            },
        }

    def may_edit(self, obj) -> bool:
        return goal_can_edit(user=_user(self), goal=obj)


class ProgressTermSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("key_result", "Key result"), ("goal", "Child goal")],
        help_text="key_result, or goal for a child goal aligned to this one.",
    )
    id = serializers.IntegerField(
        allow_null=True, help_text="Id of the key result or child goal; null when hidden."
    )
    title = serializers.CharField(allow_null=True, help_text="Null when hidden.")
    progress = serializers.DecimalField(max_digits=5, decimal_places=2)
    weight = serializers.DecimalField(max_digits=8, decimal_places=2)
    share = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="The normalised weight, 0–1; 0 if not counted."
    )
    contribution = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="share × progress, in percentage points; 0 if not counted.",
    )
    counted = serializers.BooleanField(
        help_text="False for a child goal that supports (shown, not counted)."
    )
    hidden = serializers.BooleanField(
        help_text="A private child goal the caller may not see: it counts, but its id and "
        "title are withheld."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.hidden:
            data["id"] = None
            data["title"] = None
        return data


class ProgressExplanationSerializer(serializers.Serializer):
    goal = serializers.IntegerField(source="goal_id", help_text="Id of the goal explained.")
    progress = serializers.DecimalField(max_digits=5, decimal_places=2)
    total_weight = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Sum of the counted terms' weights."
    )
    formula = serializers.CharField(help_text="The computation, written out.")
    terms = ProgressTermSerializer(many=True)


class GoalLinkSerializer(serializers.ModelSerializer):
    child = VisibleGoalField(
        help_text="Id of the goal that aligns (you must be able to change it)."
    )
    child_title = _name_of("child.title", "Title of the child goal.")
    parent = VisibleGoalField(help_text="Id of the goal it aligns to.")
    parent_title = _name_of("parent.title", "Title of the parent goal.")

    class Meta:
        model = GoalLink
        fields = [
            "id",
            "child",
            "child_title",
            "parent",
            "parent_title",
            "kind",
            "weight",
            "created_at",
        ]
        extra_kwargs = {
            "kind": {
                "help_text": "contributes: counts into the parent's progress with its weight; "
                "supports: shown, not counted."
            },
        }
        # Duplicates, cycles and periods are the service's rules, reported on `parent`.
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("child", "parent"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: ["A link's goals cannot change; delete it and create another."]}
                    )
        return attrs


class KeyResultSerializer(CanEditMixin, serializers.ModelSerializer):
    goal = VisibleGoalField(help_text="Id of the goal (you must be able to change it).")
    goal_title = _name_of("goal.title", "Title of the goal.")
    metric_name = _name_of("metric.name", "Name of the metric it follows.")

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "goal",
            "goal_title",
            "title",
            "metric",
            "metric_name",
            "unit",
            "start_value",
            "target_value",
            "current_value",
            "direction",
            "weight",
            "progress",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["current_value", "progress"]
        extra_kwargs = {
            "current_value": {"help_text": "The latest reading; moved by check-ins."},
            "progress": {"help_text": "0–100: where the current value lies from start to target."},
        }

    def validate_goal(self, goal):
        if self.instance is not None and goal != self.instance.goal:
            raise serializers.ValidationError("A key result stays with its goal.")
        return goal

    def may_edit(self, obj) -> bool:
        return goal_can_edit(user=_user(self), goal=obj.goal)


class CheckInSerializer(serializers.ModelSerializer):
    key_result = VisibleKeyResultField(help_text="Id of the key result (of a goal you may change).")
    key_result_title = _name_of("key_result.title", "Title of the key result.")
    goal = serializers.IntegerField(
        source="key_result.goal_id", read_only=True, help_text="Id of the key result's goal."
    )
    goal_title = _name_of("key_result.goal.title", "Title of the goal.")
    author_name = _name_of("author.full_name", "Full name of the author.")

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "key_result",
            "key_result_title",
            "goal",
            "goal_title",
            "author",
            "author_name",
            "value",
            "confidence",
            "note",
            "created_at",
        ]
        read_only_fields = ["author", "created_at"]
        extra_kwargs = {
            "author": {"help_text": "Id of the person who checked in (the caller)."},
            "value": {"help_text": "The key result's new value."},
            "confidence": {"help_text": "0 (none) to 10 (certain); becomes the goal's."},
        }


class RoadmapItemSerializer(CanEditMixin, serializers.ModelSerializer):
    product_name = _name_of("product.name", "Name of the product.")
    target_period_name = _name_of("target_period.name", "Name of the target period.")
    owner_name = _name_of("owner.full_name", "Full name of the owner.")
    goals = VisibleGoalField(
        many=True,
        required=False,
        help_text="Ids of the goals it serves (only goals you may see are listed).",
    )

    class Meta:
        model = RoadmapItem
        fields = [
            "id",
            "product",
            "product_name",
            "title",
            "description",
            "horizon",
            "target_period",
            "target_period_name",
            "status",
            "owner",
            "owner_name",
            "estimate_weeks",
            "goals",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "horizon": {"help_text": "now, next or later; or give a target period instead."},
        }

    def may_edit(self, obj) -> bool:
        return product_can_edit(user=_user(self), product=obj.product)
