"""Viewsets of the stakeholders API.

Who may see what is decided by ``stakeholders.selectors`` (see its docstring): every
signed-in member reads stakeholders, and alignments, reviews and decisions about
products and public goals; whatever is attached to a private goal only those who may
see the goal; private reviews (one-to-ones, career reviews, reviews about a person) the
person, the owner, the participants, their management chains and HR admins;
notifications their recipient only. Anything else answers 404, as if it did not exist.

Who may change what is written on each viewset; a visible object the caller may not
change answers 403, and a refused write changes nothing.
"""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from productorg.api.schema import ErrorSerializer
from roadmaps.api.views import RoadmapViewSet
from roadmaps.selectors import user_may_assign_owner
from roles.selectors import person_for_user

from .. import services
from ..filters import (
    AlignmentFilterSet,
    DecisionFilterSet,
    NotificationFilterSet,
    ReviewFilterSet,
    StakeholderFilterSet,
)
from ..selectors import (
    alignment_can_confirm,
    alignment_can_manage,
    alignment_list,
    decision_can_edit,
    decision_list,
    notification_list,
    review_can_edit,
    review_list,
    stakeholder_can_delete,
    stakeholder_can_edit,
    stakeholder_list,
)
from .serializers import (
    AlignmentConfirmSerializer,
    AlignmentSerializer,
    DecisionSerializer,
    NotificationSerializer,
    NotificationsMarkedSerializer,
    ReviewCompleteSerializer,
    ReviewCompletionSerializer,
    ReviewSerializer,
    StakeholderSerializer,
)


def _answers(success, *errors: int) -> dict:
    """Responses of a custom action, with its errors in the one error format."""
    return {200: success, **dict.fromkeys(errors, ErrorSerializer)}


class StakeholderViewSet(RoadmapViewSet):
    """The stakeholder directory: colleagues (a person) and external contacts (a name).

    Every member reads it. HR admins, and product owners with their management chains
    (anyone who owns a product or manages someone who does), create and change
    stakeholders: they are the ones keeping stakeholders aligned. The directory is
    shared by every product, so only HR admins delete a stakeholder (which removes their
    alignments everywhere). `quadrant` is derived from influence and interest.
    """

    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilterSet
    denied_message = (
        "Only HR admins and product owners with their managers may change stakeholders."
    )

    def get_queryset(self):
        return stakeholder_list()

    def may_change(self, obj) -> bool:
        if self.action == "destroy":
            if not stakeholder_can_delete(user=self.user):
                self.deny("Only HR admins delete stakeholders.")
            return True
        return stakeholder_can_edit(user=self.user)

    def perform_create(self, serializer):
        if not stakeholder_can_edit(user=self.user):
            self.deny()
        stakeholder = services.stakeholder_save(acting_user=self.user, **serializer.validated_data)
        serializer.instance = self.reread(stakeholder)

    def perform_update(self, serializer):
        stakeholder = services.stakeholder_save(
            stakeholder=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(stakeholder)

    def perform_destroy(self, instance):
        services.stakeholder_delete(stakeholder=instance, acting_user=self.user)


class AlignmentViewSet(RoadmapViewSet):
    """Where each stakeholder stands on a product or a goal, and when to check again.

    HR admins and whoever may edit the product or goal (its owner and their management
    chain) create, change and delete alignments; an alignment's stakeholder and subject
    never change. A stakeholder who is a person confirms or changes their own alignment
    with `confirm`, and nobody confirms for them; for an external contact (no login),
    those who manage the alignment record the touchpoint. Alignments on a private goal
    are seen only by those who may see the goal.
    """

    serializer_class = AlignmentSerializer
    filterset_class = AlignmentFilterSet
    denied_message = (
        "Only HR admins and the product's or goal's owner and their managers may change "
        "this alignment."
    )

    def get_queryset(self):
        return alignment_list(user=self.user)

    def get_serializer_class(self):
        if self.action == "confirm":
            return AlignmentConfirmSerializer
        return AlignmentSerializer

    def may_change(self, obj) -> bool:
        if self.action == "confirm":
            if not alignment_can_confirm(user=self.user, alignment=obj):
                stakeholder = obj.stakeholder
                if stakeholder.person_id is not None:
                    self.deny(f"Only {stakeholder.display_name} may confirm their own alignment.")
                self.deny()
            return True
        return alignment_can_manage(user=self.user, product=obj.product, goal=obj.goal)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not alignment_can_manage(
            user=self.user, product=data.get("product"), goal=data.get("goal")
        ):
            self.deny()
        alignment = services.alignment_save(acting_user=self.user, **data)
        serializer.instance = self.reread(alignment)

    def perform_update(self, serializer):
        alignment = services.alignment_save(
            alignment=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(alignment)

    def perform_destroy(self, instance):
        services.alignment_delete(alignment=instance, acting_user=self.user)

    @extend_schema(
        request=AlignmentConfirmSerializer,
        responses=_answers(AlignmentSerializer, 400, 401, 403, 404),
        summary="The stakeholder confirms (or changes) where they stand",
        description="Records the confirmation time and moves the next touchpoint one "
        "cadence on. Only the stakeholder themself (a person) may confirm; for an external "
        "contact, those who manage the alignment.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        alignment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alignment = services.alignment_confirm(
            alignment=alignment, acting_user=request.user, **serializer.validated_data
        )
        data = AlignmentSerializer(self.reread(alignment), context=self.get_serializer_context())
        return Response(data.data)


class ReviewViewSet(RoadmapViewSet):
    """Reviews: goal check-ins, business, roadmap and lifecycle reviews, stakeholder
    syncs, one-to-ones and career reviews; a recurring review is a series of occurrences.

    Anyone signed in schedules reviews they own themselves (the default owner) or that
    someone who reports to them owns; HR admins for anyone. The owner, the owner's
    management chain and HR admins change, complete and delete a review; participants
    and the person it is about read it. One-to-ones, career reviews and reviews about a
    person are private (see `private`); reviews of a private goal are seen only by those
    who may see the goal. An occurrence is closed only through `complete`, which
    schedules the next one of its series; a closed occurrence no longer changes.
    """

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    denied_message = "Only the review's owner, their managers and HR admins may change it."
    assign_denied = "You may give a review only to yourself or to someone who reports to you."

    def get_queryset(self):
        return review_list(user=self.user)

    def get_serializer_class(self):
        if self.action == "complete":
            return ReviewCompleteSerializer
        return ReviewSerializer

    def may_change(self, obj) -> bool:
        return review_can_edit(user=self.user, review=obj)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.get("owner") is None:
            data["owner"] = person_for_user(user=self.user)
        if not user_may_assign_owner(user=self.user, owner=data["owner"]):
            self.deny(self.assign_denied)
        review = services.review_create(acting_user=self.user, **data)
        serializer.instance = self.reread(review)

    def perform_update(self, serializer):
        self.check_owner_change(serializer, self.assign_denied)
        review = services.review_update(
            review=serializer.instance, acting_user=self.user, **serializer.validated_data
        )
        serializer.instance = self.reread(review)

    def perform_destroy(self, instance):
        services.review_delete(review=instance, acting_user=self.user)

    @extend_schema(
        request=ReviewCompleteSerializer,
        responses=_answers(ReviewCompletionSerializer, 400, 401, 403, 404),
        summary="Close the occurrence as done (or skipped) with its outcome",
        description="Answers the closed occurrence and the series' next one (null when "
        "it does not recur). An occurrence already closed answers 400 on `status`.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        review = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        following = services.review_complete(
            review=review, acting_user=request.user, **serializer.validated_data
        )
        reviews = self.get_queryset()
        answer = {
            "completed": reviews.get(pk=review.pk),
            "next": None if following is None else reviews.filter(pk=following.pk).first(),
        }
        context = self.get_serializer_context()
        return Response(ReviewCompletionSerializer(answer, context=context).data)


class DecisionViewSet(RoadmapViewSet):
    """The decision log.

    Every member reads it, except decisions linked to a private goal they may not see.
    HR admins, and whoever may edit the linked product or goal (its owner and their
    management chain), record, change and delete decisions; a decision linked to neither
    is recorded by the person who decided and their chain. `decided_by` defaults to the
    caller and `decided_on` to today.
    """

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    denied_message = (
        "Only HR admins and those who may change the decision's product or goal may "
        "record or change it."
    )

    def get_queryset(self):
        return decision_list(user=self.user)

    def may_change(self, obj) -> bool:
        return decision_can_edit(
            user=self.user, product=obj.product, goal=obj.goal, decided_by=obj.decided_by
        )

    def _check_links(self, data: dict, instance=None) -> None:
        """The decision as it will be after the write must be one the caller may change."""

        def after(name):
            return data[name] if name in data else getattr(instance, name, None)

        if not decision_can_edit(
            user=self.user,
            product=after("product"),
            goal=after("goal"),
            decided_by=after("decided_by"),
        ):
            self.deny()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.get("decided_by") is None:
            data["decided_by"] = person_for_user(user=self.user)
        data.setdefault("decided_on", timezone.localdate())
        self._check_links(data)
        decision = services.decision_record(acting_user=self.user, **data)
        serializer.instance = self.reread(decision)

    def perform_update(self, serializer):
        data = serializer.validated_data
        self._check_links(data, serializer.instance)
        decision = services.decision_record(
            entry=serializer.instance, acting_user=self.user, **data
        )
        serializer.instance = self.reread(decision)

    def perform_destroy(self, instance):
        services.decision_delete(decision=instance, acting_user=self.user)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications (reminders, escalations, digests), newest first.

    Only the recipient ever sees a notification, HR admins included: anybody else's
    answers 404. `read` marks one read, `read-all` every unread in-app one.
    """

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return notification_list(user=self.request.user)

    @extend_schema(
        request=None,
        responses=_answers(NotificationSerializer, 401, 404),
        summary="Mark one of your notifications read",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request, pk=None):
        notification = services.notification_mark_read(
            notification=self.get_object(), person=person_for_user(user=request.user)
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=_answers(NotificationsMarkedSerializer, 401),
        filters=False,
        summary="Mark every unread in-app notification of yours read",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        filterset_class=None,
        pagination_class=None,
    )
    def read_all(self, request):
        person = person_for_user(user=request.user)
        marked = 0 if person is None else services.notifications_mark_all_read(person=person)
        return Response(NotificationsMarkedSerializer({"marked": marked}).data)
