"""Strategy, goals, products and roadmaps.

Goals form a directed acyclic graph through :class:`GoalLink` (a goal may align to
several parents). Progress is stored on key results and goals and kept current by
``roadmaps.services`` whenever a check-in, a key result or a link changes; how each
number was computed is explained by ``roadmaps.selectors.goal_progress_explain``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from productorg.models import TimeStampedModel


class Cadence(models.TextChoices):
    """How often something is expected to happen (check-ins, reviews)."""

    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


CADENCE_DAYS = {
    Cadence.WEEKLY: 7,
    Cadence.BIWEEKLY: 14,
    Cadence.MONTHLY: 31,
    Cadence.QUARTERLY: 92,
}


class LifecycleStage(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    LAUNCH = "launch", "Launch"
    PMF = "pmf", "Product-market fit"
    GROWTH = "growth", "Growth"
    MATURITY = "maturity", "Maturity"
    SUNSET = "sunset", "Sunset"
    RETIRED = "retired", "Retired"


STAGE_ORDER = [s.value for s in LifecycleStage]


class StagePolicy(TimeStampedModel):
    """What a lifecycle stage asks of a product: its review cadence and expected metrics.

    Data, editable by HR admins: one row per stage, seeded by a migration.
    """

    stage = models.CharField(max_length=20, choices=LifecycleStage.choices, unique=True)
    review_cadence = models.CharField(max_length=20, choices=Cadence.choices)
    expected_metric_keys = models.JSONField(
        default=list,
        blank=True,
        help_text="Metric keys a product in this stage is expected to report.",
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lifecycle stage policy"
        verbose_name_plural = "lifecycle stage policies"

    def __str__(self) -> str:
        return self.get_stage_display()


class Product(TimeStampedModel):
    """A product, owned by a PM, at a lifecycle stage (changed only by ``product_transition``)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    business_unit = models.ForeignKey(
        "roles.BusinessUnit", on_delete=models.PROTECT, related_name="products"
    )
    team = models.ForeignKey(
        "roles.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    owner = models.ForeignKey(
        "roles.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_products",
    )
    vision_statement = models.TextField(blank=True)
    stage = models.CharField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.DISCOVERY
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["business_unit", "stage"])]

    def __str__(self) -> str:
        return self.name


class ProductStageTransition(models.Model):
    """One move of a product between lifecycle stages: when, who, why."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stage_transitions")
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product}: {self.from_stage or '—'} → {self.to_stage}"


class Vision(TimeStampedModel):
    """A vision for the company, a business unit or a product; every change kept in history."""

    class Scope(models.TextChoices):
        COMPANY = "company", "Company"
        BUSINESS_UNIT = "business_unit", "Business unit"
        PRODUCT = "product", "Product"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    business_unit = models.ForeignKey(
        "roles.BusinessUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visions",
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="visions"
    )
    statement = models.TextField()
    pillars = models.JSONField(
        default=list, blank=True, help_text="The strategy pillars, in order."
    )
    horizon = models.CharField(max_length=100, blank=True, help_text="e.g. '2027–2029'.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="company", business_unit__isnull=True, product__isnull=True)
                    | Q(scope="business_unit", business_unit__isnull=False, product__isnull=True)
                    | Q(scope="product", product__isnull=False, business_unit__isnull=True)
                ),
                name="vision_scope_matches_subject",
                violation_error_message="A vision's subject must match its scope.",
            ),
            models.UniqueConstraint(
                fields=["scope"], condition=Q(scope="company"), name="vision_one_company_vision"
            ),
            models.UniqueConstraint(
                fields=["business_unit"],
                condition=Q(business_unit__isnull=False),
                name="vision_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(product__isnull=False),
                name="vision_one_per_product",
            ),
        ]

    def __str__(self) -> str:
        subject = self.product or self.business_unit or "Company"
        return f"Vision: {subject}"


class Period(models.Model):
    """A planning period: a quarter, a half or a year."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", "Quarter"
        HALF = "half", "Half"
        YEAR = "year", "Year"

    name = models.CharField(max_length=50, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


class Goal(TimeStampedModel):
    """An objective at some level of the organisation, in a period.

    ``progress`` (0–100) is derived: the weighted mean of its key results and of the
    child goals that *contribute* to it. Private goals are seen only by their owner,
    the owner's management chain and HR admins.
    """

    class Level(models.TextChoices):
        COMPANY = "company", "Company"
        BUSINESS_UNIT = "business_unit", "Business unit"
        PRODUCT = "product", "Product"
        TEAM = "team", "Team"
        INDIVIDUAL = "individual", "Individual"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    owner = models.ForeignKey(
        "roles.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    business_unit = models.ForeignKey(
        "roles.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    team = models.ForeignKey(
        "roles.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="goals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ON_TRACK)
    confidence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text="0 (none) to 10 (certain).",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    check_in_cadence = models.CharField(
        max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    progress = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    last_check_in_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["progress", "updated_at"])

    class Meta:
        ordering = ["period__start", "level", "title"]
        indexes = [
            models.Index(fields=["period", "level"]),
            models.Index(fields=["owner", "period"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="goal_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GoalLink(models.Model):
    """``child`` aligns to ``parent``: it *contributes* (counted, weighted) or *supports* (shown only)."""

    class Kind(models.TextChoices):
        CONTRIBUTES = "contributes", "Contributes"
        SUPPORTS = "supports", "Supports"

    child = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="child_links")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONTRIBUTES)
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="goal_link_unique"),
            models.CheckConstraint(condition=~Q(child=F("parent")), name="goal_link_not_to_itself"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="goal_link_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.parent} ({self.kind})"


class KeyResult(TimeStampedModel):
    """A measurable result of a goal: from ``start_value`` towards ``target_value``."""

    class Direction(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=300)
    metric = models.ForeignKey(
        "Metric",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_results",
        help_text="The metric this key result follows, if any.",
    )
    unit = models.CharField(max_length=30, blank=True)
    start_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal("0"))
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    current_value = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal("0"))
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    progress = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    history = HistoricalRecords(excluded_fields=["progress", "updated_at"])

    class Meta:
        ordering = ["goal", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="key_result_weight_positive"),
            models.CheckConstraint(
                condition=(
                    Q(direction="increase", target_value__gte=F("start_value"))
                    | Q(direction="decrease", target_value__lte=F("start_value"))
                ),
                name="key_result_target_matches_direction",
                violation_error_message=(
                    "The target must be above the start when higher is better, below it when lower is better."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Metric(TimeStampedModel):
    """A KPI definition: how a number is named, measured and aggregated."""

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum"
        AVERAGE = "average", "Average"
        LAST = "last", "Last value"
        MIN = "min", "Minimum"
        MAX = "max", "Maximum"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    owner = models.ForeignKey(
        "roles.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="metrics"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="metrics"
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class MetricObservation(models.Model):
    """One reading of a metric for a product at a moment, from a source.

    ``(metric, product, timestamp, source)`` is unique: a retried upload of the same
    reading replaces its value instead of counting it twice.
    """

    # Indexed by the unique key below, which starts with the metric.
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="observations")
    timestamp = models.DateTimeField()
    value = models.DecimalField(max_digits=20, decimal_places=4)
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the reading came from, e.g. 'warehouse'."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric", "product", "timestamp"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "product", "timestamp", "source"],
                name="metric_observation_unique_reading",
            )
        ]
        indexes = [
            models.Index(fields=["metric", "timestamp"]),
            # The newest readings first, across metrics (the API's default list order).
            models.Index(fields=["-timestamp", "-id"], name="metric_observation_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.product} {self.timestamp:%Y-%m-%d %H:%M}: {self.value}"


class RollupScope(models.TextChoices):
    """What a roll-up row aggregates over (``scope_id`` names the row of that kind)."""

    PRODUCT = "product", "Product"
    TEAM = "team", "Team"
    BUSINESS_UNIT = "business_unit", "Business unit"
    COMPANY = "company", "Company"


class RollupGrain(models.TextChoices):
    """The calendar bucket of a roll-up row (UTC; weeks start on Monday)."""

    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class MetricRollup(models.Model):
    """A metric aggregated over a scope and a calendar period, computed by the database.

    ``scope_id`` is the product's, team's or business unit's id (a unit's row covers its
    whole subtree) and 0 for the company. ``value`` follows the metric's aggregation
    rule over the raw observations (an average is weighted by observation count, never
    an average of averages); ``observation_count`` and ``observation_sum`` let wider
    scopes and longer periods be combined from these rows exactly.
    """

    # Indexed by the unique key below, which starts with the metric.
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    scope = models.CharField(max_length=20, choices=RollupScope.choices)
    scope_id = models.PositiveIntegerField()
    grain = models.CharField(max_length=10, choices=RollupGrain.choices)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=24, decimal_places=4)
    observation_count = models.PositiveIntegerField()
    observation_sum = models.DecimalField(
        max_digits=24,
        decimal_places=4,
        help_text="Sum of the readings: averages combine as sum / count, exactly.",
    )
    last_observed_at = models.DateTimeField(
        help_text="The latest reading's time: combines 'last' roll-ups across scopes."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["metric", "scope", "scope_id", "grain", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "scope", "scope_id", "grain", "period_start"],
                name="metric_rollup_unique_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.scope}:{self.scope_id} {self.grain} {self.period_start}"


class PendingRollup(models.Model):
    """A day of a metric whose roll-ups must be recomputed (written with its observations).

    The roll-up job claims and deletes these rows in the transaction that writes the
    roll-ups, so a failed run leaves them for the next one.
    """

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "day"], name="pending_rollup_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.day}"


class CheckIn(models.Model):
    """A reading of a key result: moves it and every goal above it."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(
        "roles.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )
    value = models.DecimalField(max_digits=16, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["key_result", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value}"


class RoadmapItem(TimeStampedModel):
    """An initiative on a product's roadmap, in a horizon (now / next / later) or a period."""

    class Horizon(models.TextChoices):
        NOW = "now", "Now"
        NEXT = "next", "Next"
        LATER = "later", "Later"

    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="roadmap_items")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    horizon = models.CharField(max_length=10, choices=Horizon.choices, blank=True)
    target_period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_items"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        "roles.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_items",
    )
    estimate_weeks = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, help_text="Effort in person-weeks."
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="roadmap_items")
    history = HistoricalRecords(m2m_fields=[goals])

    class Meta:
        ordering = ["product", "horizon", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(horizon="") | Q(target_period__isnull=False),
                name="roadmap_item_has_horizon_or_period",
                violation_error_message="Give a horizon (now / next / later) or a target period.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
