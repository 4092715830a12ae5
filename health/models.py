"""Alignment health of each leader: the latest report, and snapshots over time.

Findings are computed from the live data (``health.selectors.leader_health``) nightly,
on demand, and when a dashboard finds the stored report missing or old; the latest
result is kept per leader (:class:`LeaderHealthReport`) so the dashboard reads it
instead of recomputing it. A snapshot keeps the score, its breakdown and the count of
each kind of finding per day, so the trend survives after the findings are fixed.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models


class FindingKind(models.TextChoices):
    """The kinds of alignment problem a leader's subtree is checked for."""

    GOAL_UNALIGNED = "goal_unaligned", "Goal aligned to nothing"
    GOAL_NO_CHECK_IN = "goal_no_check_in", "Goal without a check-in within its cadence"
    GOAL_NO_OWNER = "goal_no_owner", "Goal without an active owner"
    PRODUCT_MISSING_METRICS = "product_missing_metrics", "Product missing its stage's metrics"
    PRODUCT_NO_LIFECYCLE_REVIEW = (
        "product_no_lifecycle_review",
        "Product without a lifecycle review in its cadence",
    )
    STAKEHOLDER_BLOCKING = "stakeholder_blocking", "Stakeholder blocking"
    STAKEHOLDER_UNCONFIRMED = (
        "stakeholder_unconfirmed",
        "Stakeholder not confirmed within cadence",
    )
    SEAT_NO_BUDGET = "seat_no_budget", "Open seat without a budget"
    SPAN_OUT_OF_RANGE = "span_out_of_range", "Span of control outside the range"
    RESPONSIBILITY_UNHELD = "responsibility_unheld", "Responsibility nobody holds"


class HealthSnapshot(models.Model):
    """A leader's alignment health on a day: score 0–100, breakdown, finding counts."""

    leader = models.ForeignKey(
        "roles.Person", on_delete=models.CASCADE, related_name="health_snapshots"
    )
    taken_on = models.DateField()
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    breakdown = models.JSONField(
        default=dict, help_text="Per finding kind: checked, failing, penalty (points lost)."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["leader", "-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["leader", "taken_on"], name="health_snapshot_daily"),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="health_snapshot_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.taken_on}: {self.score}"


class LeaderHealthReport(models.Model):
    """The latest alignment health computed for a leader's subtree: one row per leader.

    Holds the score, its breakdown (per kind: checked, failing, weight, penalty) and the
    first ``limit_per_kind`` findings of each kind, as computed for nobody in particular:
    a finding about a goal keeps the goal's id, never its title, so that who may see the
    goal is decided when a viewer reads the report; a seat finding keeps the seat's and
    its manager's ids, never a cost. ``refresh_claimed_at`` is set by the one request
    that claimed a background refresh (a conditional UPDATE), so a busy page enqueues
    one refresh, not one per view.
    """

    leader = models.OneToOneField(
        "roles.Person", on_delete=models.CASCADE, related_name="health_report"
    )
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    breakdown = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per finding kind: checked, failing, weight, penalty.",
    )
    findings = models.JSONField(
        default=list,
        blank=True,
        help_text="The first findings of each kind, without goal titles.",
    )
    limit_per_kind = models.PositiveIntegerField(
        help_text="At most this many findings of each kind are kept."
    )
    computed_at = models.DateTimeField()
    refresh_claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a background refresh was last asked for."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="health_report_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader}: {self.score} at {self.computed_at:%Y-%m-%d %H:%M}"
