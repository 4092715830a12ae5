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
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from roadmaps.models import Goal
from roles.models import Person
from roles.selectors import (
    person_for_user,
    person_is_in_subtree,
    person_subtree_ids,
    user_is_hr_admin,
)

from . import rules
from .dashboard.series import in_ids
from .models import FindingKind, HealthSnapshot, LeaderHealthReport
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
    "health_report_max_age",
    "health_report_present",
    "health_score",
    "leader_get_for_viewer",
    "leader_health",
    "leader_health_trend",
    "stored_findings",
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
    # When the findings were computed (now, for a live report), and whether a stored
    # report is older than ``settings.HEALTH_REPORT_MAX_AGE`` (a refresh is on its way).
    computed_at: datetime | None = None
    stale: bool = False

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

    def covers(self, *, kind: str = "", per_kind: int | None = None) -> bool:
        """Whether ``findings`` holds the first ``per_kind`` failing rows of ``kind`` (of
        every kind when empty; all of them when ``per_kind`` is None)."""
        for count in self.finding_counts():
            if kind and count.kind != kind:
                continue
            wanted = count.total if per_kind is None else min(count.total, per_kind)
            if count.shown < wanted:
                return False
        return True


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
        computed_at=now,
    )


# --- The stored report ------------------------------------------------------------------


def health_report_max_age() -> timedelta:
    """How old a stored report may be before it is refreshed (``HEALTH_REPORT_MAX_AGE``)."""
    return timedelta(minutes=settings.HEALTH_REPORT_MAX_AGE)


def stored_findings(findings: list[Finding]) -> list[dict]:
    """Findings as a stored report keeps them: for nobody in particular.

    A finding about a goal keeps the goal's id (and what goes before its title), never
    its title or link: who may see the goal is decided each time a viewer reads it. A
    seat finding keeps the seat and its manager, and its link is chosen per viewer.
    """
    rows = []
    for f in findings:
        row = {"kind": f.kind, "detail": f.detail, "owner": f.owner}
        if f.goal_id is not None:
            row.update(goal=f.goal_id, prefix=f.subject_prefix)
        else:
            row.update(subject=f.subject)
            if f.seat_id is not None:
                row.update(seat=f.seat_id, manager=f.manager_id)
            else:
                row.update(url=f.url)
        rows.append(row)
    return rows


def _goal_titles_visible(*, viewer_user, goal_ids: set[int]) -> dict[int, str]:
    """Titles of the goals among ``goal_ids`` that ``viewer_user`` may see (one query).

    The same rule as ``roadmaps.selectors.goal_visibility_q`` (public goals, and private
    ones owned by the viewer or anyone under them; HR admins see all), with the viewer's
    subtree as a subquery rather than a list of every id in it.
    """
    if not goal_ids:
        return {}
    goals = Goal.objects.filter(in_ids("pk", goal_ids))
    if not user_is_hr_admin(user=viewer_user):
        viewer = person_for_user(user=viewer_user)
        public = Q(visibility=Goal.Visibility.PUBLIC)
        goals = goals.filter(
            public if viewer is None else public | Q(owner_id__in=person_subtree_ids(root=viewer))
        )
    return dict(goals.order_by().values_list("pk", "title"))


def health_report_present(
    *, stored: LeaderHealthReport, leader: Person, viewer_user
) -> HealthReport:
    """A stored report as ``viewer_user`` may see it, decided now (at most one query).

    A goal the viewer may not see (made private since, or never visible to them) is
    "A private goal" with no link, exactly as :func:`leader_health` names it; a goal
    deleted since is named the same way. Titles are today's. No seat carries a cost (none
    is stored); a seat links to the admin for HR admins, else to its manager's page.
    """
    titles = _goal_titles_visible(
        viewer_user=viewer_user,
        goal_ids={row["goal"] for row in stored.findings if row.get("goal") is not None},
    )
    hr = user_is_hr_admin(user=viewer_user)
    findings = []
    for row in stored.findings:
        kind = row["kind"]
        goal_id, seat_id = row.get("goal"), row.get("seat")
        if goal_id is not None:
            title = titles.get(goal_id)
            subject = row.get("prefix", "") + (title if title is not None else PRIVATE_GOAL_SUBJECT)
            url = reverse("goal-detail", args=[goal_id]) if title is not None else ""
        elif seat_id is not None:
            subject = row["subject"]
            if hr:
                url = reverse("admin:roles_position_change", args=[seat_id])
            else:
                url = reverse("person-detail", args=[row["manager"]])
        else:
            subject, url = row["subject"], row.get("url", "")
        findings.append(
            Finding(
                kind=kind,
                label=FindingKind(kind).label,
                subject=subject,
                url=url,
                detail=row["detail"],
                owner=row["owner"],
                goal_id=goal_id,
                subject_prefix=row.get("prefix", ""),
                seat_id=seat_id,
                manager_id=row.get("manager"),
            )
        )
    stored_breakdown = stored.breakdown or {}
    breakdown = [
        BreakdownEntry(
            kind=kind.value,
            label=kind.label,
            checked=entry.get("checked", 0),
            failing=entry.get("failing", 0),
            weight=entry.get("weight", WEIGHTS[kind]),
            penalty=entry.get("penalty", 0.0),
        )
        for kind in FindingKind
        for entry in [stored_breakdown.get(kind.value, {})]
    ]
    return HealthReport(
        leader=leader,
        score=stored.score,
        breakdown=breakdown,
        findings=findings,
        limit_per_kind=stored.limit_per_kind,
        computed_at=stored.computed_at,
        stale=stored.computed_at < timezone.now() - health_report_max_age(),
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
