"""Stakeholders, alignment, reviews, decisions and the notification outbox.

Due times live in the database and beat finds what is due (``stakeholders.tasks``);
nothing is ever scheduled as a long countdown message in the broker. Every reminder is
an outbox row with a unique dedupe key, so running the reminder job twice, or on two
beat instances at once, creates nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from simple_history.models import HistoricalRecords

from productorg.models import TimeStampedModel
from roadmaps.models import Cadence


class Stakeholder(TimeStampedModel):
    """Someone whose support a product or goal needs: a Person or an external contact.

    The quadrant of the influence × interest grid is derived by the database, so lists
    filter and group by it without Python loops.
    """

    class Function(models.TextChoices):
        ENGINEERING = "engineering", "Engineering"
        DESIGN = "design", "Design"
        DATA = "data", "Data"
        MARKETING = "marketing", "Marketing"
        SALES = "sales", "Sales"
        SUPPORT = "support", "Support"
        FINANCE = "finance", "Finance"
        EXECUTIVE = "executive", "Executive"
        CUSTOMER = "customer", "Customer"
        PARTNER = "partner", "Partner"

    class Quadrant(models.TextChoices):
        MANAGE_CLOSELY = "manage_closely", "Manage closely"
        KEEP_SATISFIED = "keep_satisfied", "Keep satisfied"
        KEEP_INFORMED = "keep_informed", "Keep informed"
        MONITOR = "monitor", "Monitor"

    person = models.OneToOneField(
        "roles.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="stakeholder"
    )
    name = models.CharField(max_length=200, blank=True, help_text="For external contacts.")
    organisation = models.CharField(max_length=200, blank=True, help_text="For external contacts.")
    email = models.EmailField(blank=True)
    function = models.CharField(max_length=20, choices=Function.choices)
    influence = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    interest = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    quadrant = models.GeneratedField(
        expression=Case(
            When(Q(influence__gte=3, interest__gte=3), then=Value("manage_closely")),
            When(Q(influence__gte=3), then=Value("keep_satisfied")),
            When(Q(interest__gte=3), then=Value("keep_informed")),
            default=Value("monitor"),
        ),
        output_field=models.CharField(max_length=20, choices=Quadrant.choices),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["quadrant"])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""),
                name="stakeholder_person_or_name",
                violation_error_message="A stakeholder is a person of the organisation or a named contact.",
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5), name="stakeholder_influence_1_5"
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=1, interest__lte=5), name="stakeholder_interest_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.person_id and not self.name:
            return self.person.full_name
        return self.name


class Alignment(TimeStampedModel):
    """Where a stakeholder stands on a product or a goal, and when to check again."""

    class Status(models.TextChoices):
        ALIGNED = "aligned", "Aligned"
        SUPPORTIVE = "supportive", "Supportive"
        NEUTRAL = "neutral", "Neutral"
        CONCERNED = "concerned", "Concerned"
        BLOCKING = "blocking", "Blocking"

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="alignments"
    )
    product = models.ForeignKey(
        "roadmaps.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alignments",
    )
    goal = models.ForeignKey(
        "roadmaps.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="alignments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEUTRAL)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    next_touchpoint_due = models.DateField(null=True, blank=True, db_index=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["next_touchpoint_due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, goal__isnull=True)
                | Q(product__isnull=True, goal__isnull=False),
                name="alignment_on_product_or_goal",
                violation_error_message="An alignment is about one product or one goal.",
            ),
            models.UniqueConstraint(
                fields=["stakeholder", "product"],
                condition=Q(product__isnull=False),
                name="alignment_unique_product",
            ),
            models.UniqueConstraint(
                fields=["stakeholder", "goal"],
                condition=Q(goal__isnull=False),
                name="alignment_unique_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stakeholder} on {self.product or self.goal}: {self.status}"


class Review(TimeStampedModel):
    """One occurrence of a review. A recurring review is a series of occurrences.

    Completing (or skipping) an occurrence schedules the next one in the same series;
    ``occurrence`` counts them from 1. Reminders are keyed by (review, occurrence).
    """

    class Kind(models.TextChoices):
        GOAL_CHECK_IN = "goal_check_in", "Goal check-in"
        BUSINESS_REVIEW = "business_review", "Quarterly business review"
        ROADMAP_REVIEW = "roadmap_review", "Roadmap review"
        STAKEHOLDER_SYNC = "stakeholder_sync", "Stakeholder sync"
        ONE_TO_ONE = "one_to_one", "One-to-one"
        CAREER_REVIEW = "career_review", "Career review"
        LIFECYCLE_REVIEW = "lifecycle_review", "Lifecycle review"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        OVERDUE = "overdue", "Overdue"
        SKIPPED = "skipped", "Skipped"

    OPEN_STATUSES = (Status.SCHEDULED, Status.OVERDUE)

    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    goal = models.ForeignKey(
        "roadmaps.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    product = models.ForeignKey(
        "roadmaps.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    person = models.ForeignKey(
        "roles.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews_about",
        help_text="The person a one-to-one or career review is about.",
    )
    owner = models.ForeignKey(
        "roles.Person", on_delete=models.CASCADE, related_name="owned_reviews"
    )
    participants = models.ManyToManyField(
        "roles.Person", blank=True, related_name="review_participations"
    )
    series = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occurrences",
        help_text="The first occurrence of the series (empty on that first one).",
    )
    occurrence = models.PositiveIntegerField(default=1)
    anchor_at = models.DateTimeField(
        help_text="The first due time of the series; recurrence counts from it."
    )
    due_at = models.DateTimeField(db_index=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="Recurrence keeps the local time here."
    )
    recurrence = models.CharField(
        max_length=500,
        blank=True,
        help_text="weekly, biweekly, monthly, quarterly, or an RFC 5545 rule such as 'RRULE:FREQ=MONTHLY;BYDAY=1MO'.",
    )
    reminder_lead = models.DurationField(default=timedelta(days=1))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    missed = models.BooleanField(
        default=False, help_text="Went past its due time without being done."
    )
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "occurrence"],
                condition=Q(series__isnull=False),
                name="review_occurrence_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def series_root_id(self) -> int:
        return self.series_id or self.pk

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Decision(TimeStampedModel):
    """An entry of the decision log."""

    title = models.CharField(max_length=300)
    context = models.TextField(blank=True)
    options = models.JSONField(
        default=list, blank=True, help_text="The options considered, in order."
    )
    decision = models.TextField()
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "roles.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    consulted = models.ManyToManyField(Stakeholder, blank=True, related_name="decisions_consulted")
    decided_on = models.DateField()
    product = models.ForeignKey(
        "roadmaps.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    goal = models.ForeignKey(
        "roadmaps.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    metrics = models.ManyToManyField("roadmaps.Metric", blank=True, related_name="decisions")
    history = HistoricalRecords(m2m_fields=[consulted])

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """An outbox row: one message to one person on one channel.

    ``dedupe_key`` is unique, so whatever creates notifications may run any number of
    times: the database keeps one row per key. Delivery claims a pending row with a
    conditional update and marks it sent in the same transaction.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        IN_APP = "in_app", "In-app"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        "roles.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=50)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    dedupe_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "channel", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"


class CalendarFeed(models.Model):
    """A person's private calendar subscription to their reviews (``/calendar/<secret>.ics``).

    Calendar apps cannot sign in, so the URL itself is the credential. Only a SHA-256
    digest of the secret is stored: the URL is shown once, when it is created, and a
    revoked feed answers 404 at once. Creating a new feed replaces the old secret.
    """

    person = models.OneToOneField(
        "roles.Person", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Calendar feed of {self.person_id} ({state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
