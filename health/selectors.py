"""Alignment health of a leader's subtree: the score, its trend, and who may see them.

The findings come from ``health.rules`` (one function per kind, each one or two SQL
queries over the leader's subtree, never one per row). The score starts at 100 and
loses, for each kind, ``weight × failing / checked`` (nothing when nothing was
checked); see :data:`WEIGHTS`. Both counts come from SQL aggregates, so a report
listing only the first findings of each kind (``limit_per_kind``) has the same score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone

from roles.models import Person
from roles.selectors import (
    person_for_user,
    person_is_in_subtree,
    person_subtree_ids,
    user_is_hr_admin,
)

from . import rules
from .models import FindingKind, HealthSnapshot
from .rules import METRIC_FRESHNESS_DAYS, PRIVATE_GOAL_SUBJECT, Finding, Tally

__all__ = [
    "METRIC_FRESHNESS_DAYS",
    "PRIVATE_GOAL_SUBJECT",
    "WEIGHTS",
    "BreakdownEntry",
    "Finding",
    "HealthReport",
    "KindCount",
    "health_breakdown",
    "health_score",
    "leader_get_for_viewer",
    "leader_health",
    "leader_health_trend",
]

# Points each kind of finding can cost; they add up to 100.
WEIGHTS: dict[str, int] = {
    FindingKind.GOAL_UNALIGNED: 15,
    FindingKind.GOAL_NO_CHECK_IN: 10,
    FindingKind.GOAL_NO_OWNER: 5,
    FindingKind.PRODUCT_MISSING_METRICS: 15,
    FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW: 10,
    FindingKind.STAKEHOLDER_BLOCKING: 10,
    FindingKind.STAKEHOLDER_UNCONFIRMED: 5,
    FindingKind.SEAT_NO_BUDGET: 10,
    FindingKind.SPAN_OUT_OF_RANGE: 10,
    FindingKind.RESPONSIBILITY_UNHELD: 10,
}
assert sum(WEIGHTS.values()) == 100


@dataclass(frozen=True)
class BreakdownEntry:
    """How one kind of finding weighs on the score."""

    kind: str
    label: str
    checked: int
    failing: int
    weight: int
    penalty: float


@dataclass(frozen=True)
class KindCount:
    """For one kind of finding: how many rows fail (``total``) and how many are listed."""

    kind: str
    label: str
    total: int
    shown: int


@dataclass
class HealthReport:
    """A leader's alignment health: score 0–100, its breakdown and the findings.

    ``findings`` holds at most ``limit_per_kind`` findings of each kind (all of them
    when it is ``None``); the breakdown always counts every failing row, so
    :meth:`finding_counts` and :attr:`truncated` can say "showing 50 of 1,234".
    """

    leader: Person
    score: int
    breakdown: list[BreakdownEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    limit_per_kind: int | None = None

    def finding_counts(self) -> list[KindCount]:
        """Per kind, in the breakdown's order: failing rows in all, and how many listed."""
        shown: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            shown[finding.kind] += 1
        return [
            KindCount(kind=e.kind, label=e.label, total=e.failing, shown=shown[e.kind])
            for e in self.breakdown
        ]

    @property
    def truncated(self) -> bool:
        """Whether some failing rows are left out of ``findings`` by the limit."""
        return any(count.shown < count.total for count in self.finding_counts())

    def breakdown_by_kind(self) -> dict[str, dict]:
        """The breakdown as stored in a snapshot: per kind, checked, failing, penalty."""
        return {
            entry.kind: {
                "checked": entry.checked,
                "failing": entry.failing,
                "weight": entry.weight,
                "penalty": entry.penalty,
            }
            for entry in self.breakdown
        }

    def findings_of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


# --- Who may see a leader's health ---------------------------------------------------


def leader_get_for_viewer(*, viewer_user, person_id: int) -> Person:
    """The person whose health (or dashboard) ``viewer_user`` may see; else Http404.

    HR admins see anyone's; otherwise the person must be the viewer or someone in the
    viewer's subtree (the viewer is in their management chain), and still active.
    """
    qs = Person.objects.select_related("role", "team", "business_unit")
    if user_is_hr_admin(user=viewer_user):
        person = qs.filter(pk=person_id).first()
        if person is None:
            raise Http404("No such person.")
        return person
    viewer = person_for_user(user=viewer_user)
    if viewer is None:
        raise Http404("No such person.")
    person = qs.filter(pk=person_id, is_active=True).first()
    if person is None or not person_is_in_subtree(person=person, root=viewer):
        raise Http404("No such person.")
    return person


# --- The report -----------------------------------------------------------------------


def health_score(*, breakdown: list[BreakdownEntry]) -> int:
    """100 minus every kind's penalty, rounded, kept within 0–100."""
    return max(0, min(100, round(100 - sum(entry.penalty for entry in breakdown))))


def health_breakdown(*, checked: dict[str, int], failing: dict[str, int]) -> list[BreakdownEntry]:
    """Per kind: checked, failing, weight and the points lost (weight × failing / checked)."""
    entries = []
    for kind in FindingKind:
        weight = WEIGHTS[kind]
        n_checked = checked.get(kind, 0)
        n_failing = failing.get(kind, 0)
        penalty = round(weight * n_failing / n_checked, 2) if n_checked else 0.0
        entries.append(
            BreakdownEntry(
                kind=kind.value,
                label=kind.label,
                checked=n_checked,
                failing=n_failing,
                weight=weight,
                penalty=penalty,
            )
        )
    return entries


def leader_health(
    *,
    leader: Person,
    viewer_user,
    today: date | None = None,
    limit_per_kind: int | None = None,
) -> HealthReport:
    """The alignment health of ``leader``'s subtree as ``viewer_user`` may see it.

    The score is the leader's: it counts everything in the subtree. Findings about a
    private goal the viewer may not see say "A private goal", with no title or link;
    seat findings never carry a cost. ``limit_per_kind`` lists only the first that many
    findings of each kind (read with ``LIMIT`` in SQL; 0 reads counts only); ``None``
    lists them all. The score and breakdown are the same either way. A fixed number of
    queries: each rule of ``health.rules`` reads one to three, whatever the size of the
    subtree (with a limit of 0, only its counts).
    """
    if limit_per_kind is not None and limit_per_kind < 0:
        raise ValueError("limit_per_kind must be None or at least 0.")
    today, now = rules.as_of(today=today)
    subtree_ids = person_subtree_ids(root=leader)
    tally = Tally(limit=limit_per_kind)
    rules.goal_findings(
        tally=tally, subtree_ids=subtree_ids, today=today, now=now, viewer_user=viewer_user
    )
    rules.product_findings(tally=tally, subtree_ids=subtree_ids, today=today, now=now)
    rules.stakeholder_findings(
        tally=tally, subtree_ids=subtree_ids, today=today, now=now, viewer_user=viewer_user
    )
    rules.seat_findings(tally=tally, subtree_ids=subtree_ids, viewer_user=viewer_user)
    rules.span_findings(tally=tally, leader=leader)
    rules.responsibility_findings(tally=tally, leader=leader, subtree_ids=subtree_ids)

    breakdown = health_breakdown(checked=tally.checked, failing=tally.failing)
    order = {kind.value: i for i, kind in enumerate(FindingKind)}
    findings = sorted(tally.findings, key=lambda f: order[f.kind])
    return HealthReport(
        leader=leader,
        score=health_score(breakdown=breakdown),
        breakdown=breakdown,
        findings=findings,
        limit_per_kind=limit_per_kind,
    )


def leader_health_trend(
    *, leader: Person, days: int = 90, today: date | None = None
) -> list[tuple[date, int]]:
    """The leader's daily scores from their snapshots, oldest first (one query)."""
    today = today or timezone.localdate()
    rows = (
        HealthSnapshot.objects.filter(
            leader=leader, taken_on__gt=today - timedelta(days=days), taken_on__lte=today
        )
        .order_by("taken_on")
        .values_list("taken_on", "score")
    )
    return [(taken_on, score) for taken_on, score in rows]
