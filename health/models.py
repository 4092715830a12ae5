"""Alignment health snapshots: a leader's score over time.

Findings themselves are computed on demand from the live data
(``health.selectors.leader_health``); a snapshot keeps the score, its breakdown and
the count of each kind of finding, so the trend survives after the findings are fixed.
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
