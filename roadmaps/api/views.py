"""Viewsets of the strategy and goals API.

Who may do what (DESIGN.md, "Who may see and do what"):

- every signed-in member reads products, periods, visions, public goals and roadmaps;
  a private goal (and its key results, check-ins and links) only its owner, their
  management chain and HR admins — to anyone else it answers 404, as if it did not exist;
- a person changes their own goals, key results and check-ins, a manager whatever their
  subtree owns (``goal_can_edit``); a product's owner and their chain change the
  product, its roadmap and its vision (``product_can_edit``); HR admins change all;
- products are created and deleted, periods and company or unit visions written, by HR
  admins only.

A visible object the caller may not change answers 403.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from productorg.api.schema import ErrorSerializer
from roles.selectors import person_for_user, user_is_hr_admin

from .. import services
from ..filters import (
    CheckInFilterSet,
    GoalFilterSet,
    GoalLinkFilterSet,
    KeyResultFilterSet,
    PeriodFilterSet,
    ProductFilterSet,
    RoadmapItemFilterSet,
    VisionFilterSet,
)
from ..models import Vision
from ..selectors import (
    check_in_list,
    goal_can_edit,
    goal_link_list,
    goal_progress_explain,
    goal_visibility_q,
    goal_visible_queryset,
    key_result_list,
    period_list,
    product_can_edit,
    product_list,
    product_list_with_stage_history,
    roadmap_item_list,
    user_may_assign_owner,
    vision_can_edit,
    vision_list,
    vision_versions,
)
from .serializers import (
    CheckInSerializer,
    GoalLinkSerializer,
    GoalSerializer,
    KeyResultSerializer,
    PeriodSerializer,
    ProductDetailSerializer,
    ProductSerializer,
    ProductTransitionSerializer,
    ProgressExplanationSerializer,
    RoadmapItemSerializer,
    VisionSerializer,
    VisionVersionSerializer,
)


def _answers(success, *errors: int) -> dict:
    """Responses of a custom action, with its errors in the one error format.

    (``AutoSchema`` adds them to the standard operations; an ``@extend_schema`` override
    of the responses replaces its method, so actions list theirs here.)
    """
    return {200: success, **dict.fromkeys(errors, ErrorSerializer)}


class RoadmapViewSet(viewsets.ModelViewSet):
    """Members read; a write is allowed or refused per object by :meth:`may_change`.

    Reads go through a selector that already hides what the caller may not see (so an
    invisible object is a 404 before any permission is asked); a write answers the
    object re-read through the same selector, exactly as a later GET would.
    """

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    denied_message = "You may not change this."

    @property
    def user(self):
        return self.request.user

    def may_change(self, obj) -> bool:
        raise NotImplementedError

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS and not self.may_change(obj):
            self.deny()

    def deny(self, message: str | None = None):
        self.permission_denied(self.request, message=message or self.denied_message)

    def check_owner_change(self, serializer, message: str) -> None:
        """A new owner must be someone the caller may give the object to."""
        owner = serializer.validated_data.get("owner", serializer.instance.owner)
        if owner != serializer.instance.owner and not user_may_assign_owner(
            user=self.user, owner=owner
        ):
            self.deny(message)

    def reread(self, instance):
        return self.get_queryset().get(pk=instance.pk)


class ProductViewSet(RoadmapViewSet):
    """Products at their lifecycle stage; the stage changes only through `transition`.

    HR admins create and delete products; HR admins and the product's owner with their
    management chain change it. The detail lists the stage history.
    """

    filterset_class = ProductFilterSet
    denied_message = "Only HR admins and the product's owner and their managers may change it."

    def get_queryset(self):
        if self.action == "list":
            return product_list()
        return product_list_with_stage_history()

    def get_serializer_class(self):
        if self.action == "list":
            return ProductSerializer
        if self.action == "transition":
            return ProductTransitionSerializer
        return ProductDetailSerializer

    def may_change(self, obj) -> bool:
        if self.action == "destroy" and not user_is_hr_admin(user=self.user):
            self.deny("Only HR admins delete products.")
        return product_can_edit(user=self.user, product=obj)

    def perform_create(self, serializer):
        if not user_is_hr_admin(user=self.user):
            self.deny("Only HR admins create products.")
        product = services.product_create(acting_user=self.user, **serializer.validated_data)
        serializer.instance = self.reread(product)

    def perform_update(self, serializer):
        self.check_owner_change(
            serializer, "You may hand a product only to someone who reports to you."
        )
        product = services.product_update(
            product=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(product)

    def perform_destroy(self, instance):
        services.product_delete(product=instance, acting_user=self.user)

    @extend_schema(
        request=ProductTransitionSerializer,
        responses=_answers(ProductDetailSerializer, 400, 401, 403, 404),
        summary="Move the product to another lifecycle stage",
        description="Logs when, who and why. A reason is required to move back a stage, "
        "to leave retirement and to retire (400 on `reason` otherwise).",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        product = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_transition(
            product=product, acting_user=request.user, **serializer.validated_data
        )
        data = ProductDetailSerializer(self.reread(product), context=self.get_serializer_context())
        return Response(data.data)


class PeriodViewSet(RoadmapViewSet):
    """Planning periods (quarters, halves, years); HR admins write them."""

    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet
    denied_message = "Only HR admins may change periods."

    def get_queryset(self):
        return period_list()

    def may_change(self, obj) -> bool:
        return user_is_hr_admin(user=self.user)

    def perform_create(self, serializer):
        if not user_is_hr_admin(user=self.user):
            self.deny()
        period = services.period_create(acting_user=self.user, **serializer.validated_data)
        serializer.instance = self.reread(period)

    def perform_update(self, serializer):
        period = services.period_update(
            period=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(period)

    def perform_destroy(self, instance):
        services.period_delete(period=instance, acting_user=self.user)


class VisionViewSet(RoadmapViewSet):
    """Visions of the company, business units and products; every change kept in history.

    HR admins write every vision; a product's owner and their chain write its vision.
    """

    serializer_class = VisionSerializer
    filterset_class = VisionFilterSet
    denied_message = (
        "Only HR admins, and for a product's vision the product's owner and their "
        "managers, may change it."
    )

    def get_queryset(self):
        return vision_list()

    def may_change(self, obj) -> bool:
        return vision_can_edit(user=self.user, scope=obj.scope, product=obj.product)

    def _check_subject(self, data: dict, instance: Vision | None = None) -> None:
        scope = data.get("scope", instance.scope if instance else None)
        product = data.get("product", instance.product if instance else None)
        if not vision_can_edit(user=self.user, scope=scope, product=product):
            self.deny()

    def perform_create(self, serializer):
        self._check_subject(serializer.validated_data)
        vision = services.vision_save(acting_user=self.user, **serializer.validated_data)
        serializer.instance = self.reread(vision)

    def perform_update(self, serializer):
        self._check_subject(serializer.validated_data, serializer.instance)
        vision = services.vision_save(
            vision=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(vision)

    def perform_destroy(self, instance):
        services.vision_delete(vision=instance, acting_user=self.user)

    @extend_schema(
        responses=_answers(VisionVersionSerializer(many=True), 401, 404),
        filters=False,
        summary="Every saved version of the vision, newest first",
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, pk=None):
        vision = self.get_object()
        page = self.paginate_queryset(vision_versions(vision=vision))
        return self.get_paginated_response(VisionVersionSerializer(page, many=True).data)


class GoalViewSet(RoadmapViewSet):
    """Goals with their derived progress.

    Anyone signed in creates goals for themselves (the default owner) or for someone who
    reports to them; HR admins for anyone. Goals are changed and deleted by their owner,
    the owner's management chain and HR admins. Private goals are seen only by those too;
    to anyone else they answer 404.
    """

    serializer_class = GoalSerializer
    filterset_class = GoalFilterSet
    denied_message = "Only the goal's owner, their managers and HR admins may change it."
    assign_denied = "You may give a goal only to yourself or to someone who reports to you."

    def get_queryset(self):
        return goal_visible_queryset(user=self.user)

    def may_change(self, obj) -> bool:
        return goal_can_edit(user=self.user, goal=obj)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if "owner" not in data:
            data["owner"] = person_for_user(user=self.user)
        if not user_may_assign_owner(user=self.user, owner=data["owner"]):
            self.deny(self.assign_denied)
        goal = services.goal_create(acting_user=self.user, **data)
        serializer.instance = self.reread(goal)

    def perform_update(self, serializer):
        self.check_owner_change(serializer, self.assign_denied)
        goal = services.goal_update(
            goal=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(goal)

    def perform_destroy(self, instance):
        services.goal_delete(goal=instance, acting_user=self.user)

    @extend_schema(
        responses=_answers(ProgressExplanationSerializer, 401, 404),
        summary="How the goal's progress was computed, term by term",
        description="Key results and contributing child goals are counted with their "
        "weights normalised to shares of one; supporting child goals are listed, not "
        "counted. A private child goal the caller may not see counts, but its id and title "
        "are withheld (`hidden`).",
    )
    @action(detail=True, methods=["get"], url_path="progress-explanation")
    def progress_explanation(self, request, pk=None):
        goal = self.get_object()
        explanation = goal_progress_explain(user=request.user, goal=goal)
        return Response(ProgressExplanationSerializer(explanation).data)


class GoalLinkViewSet(RoadmapViewSet):
    """Alignment of a child goal to a parent goal: it contributes (counted) or supports.

    Creating, changing and deleting a link needs the right to change the child goal and
    sight of the parent. A link that would form a cycle, or join goals whose periods do
    not overlap, is refused with a 400 on `parent`. Links to a goal the caller may not
    see are not listed.
    """

    serializer_class = GoalLinkSerializer
    filterset_class = GoalLinkFilterSet
    denied_message = "Only those who may change the child goal may align it."

    def get_queryset(self):
        return goal_link_list(user=self.user)

    def may_change(self, obj) -> bool:
        return goal_can_edit(user=self.user, goal=obj.child)

    def perform_create(self, serializer):
        if not goal_can_edit(user=self.user, goal=serializer.validated_data["child"]):
            self.deny()
        link = services.goal_link_create(acting_user=self.user, **serializer.validated_data)
        serializer.instance = self.reread(link)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in ("kind", "weight")}
        link = services.goal_link_update(link=serializer.instance, acting_user=self.user, **data)
        serializer.instance = self.reread(link)

    def perform_destroy(self, instance):
        services.goal_link_delete(link=instance, acting_user=self.user)


class KeyResultViewSet(RoadmapViewSet):
    """Key results of goals; written by whoever may change the goal."""

    serializer_class = KeyResultSerializer
    filterset_class = KeyResultFilterSet
    denied_message = (
        "Only the goal's owner, their managers and HR admins may change its key results."
    )

    def get_queryset(self):
        return key_result_list(user=self.user)

    def may_change(self, obj) -> bool:
        return goal_can_edit(user=self.user, goal=obj.goal)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        goal = data.pop("goal")
        if not goal_can_edit(user=self.user, goal=goal):
            self.deny()
        key_result = services.key_result_create(goal=goal, acting_user=self.user, **data)
        serializer.instance = self.reread(key_result)

    def perform_update(self, serializer):
        key_result = services.key_result_update(
            key_result=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(key_result)

    def perform_destroy(self, instance):
        services.key_result_delete(key_result=instance, acting_user=self.user)


class CheckInViewSet(RoadmapViewSet):
    """Readings of key results. A check-in moves its key result and every goal above it.

    Whoever may change the goal checks in, as themselves; a check-in is a record and is
    never changed or deleted afterwards (a new reading corrects it).
    """

    serializer_class = CheckInSerializer
    filterset_class = CheckInFilterSet
    http_method_names = ["get", "post", "head", "options"]
    denied_message = "Only the goal's owner, their managers and HR admins may check in."

    def get_queryset(self):
        return check_in_list(user=self.user)

    def may_change(self, obj) -> bool:  # pragma: no cover - check-ins are never changed
        return False

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        key_result = data.pop("key_result")
        if not goal_can_edit(user=self.user, goal=key_result.goal):
            self.deny()
        check_in = services.check_in_create(
            key_result=key_result,
            author=person_for_user(user=self.user),
            acting_user=self.user,
            **data,
        )
        serializer.instance = self.reread(check_in)


class RoadmapItemViewSet(RoadmapViewSet):
    """Initiatives on product roadmaps; written by those who may change the product."""

    serializer_class = RoadmapItemSerializer
    filterset_class = RoadmapItemFilterSet
    denied_message = (
        "Only HR admins and the product's owner and their managers may change its roadmap."
    )

    def get_queryset(self):
        return roadmap_item_list(user=self.user)

    def may_change(self, obj) -> bool:
        return product_can_edit(user=self.user, product=obj.product)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not product_can_edit(user=self.user, product=data["product"]):
            self.deny()
        goals = data.pop("goals", None)
        item = services.roadmap_item_save(goals=goals, acting_user=self.user, **data)
        serializer.instance = self.reread(item)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        item = serializer.instance
        if "product" in data and not product_can_edit(user=self.user, product=data["product"]):
            self.deny()
        goals = data.pop("goals", None)
        if goals is not None:
            # Goals the caller cannot see stay served: they could not have meant to drop them.
            hidden = item.goals.exclude(goal_visibility_q(user=self.user))
            goals = [*goals, *hidden]
        item = services.roadmap_item_save(item=item, goals=goals, acting_user=self.user, **data)
        serializer.instance = self.reread(item)

    def perform_destroy(self, instance):
        services.roadmap_item_delete(item=instance, acting_user=self.user)
