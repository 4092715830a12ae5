"""The rows of a goals plan, the check-ins each key result gets, and plan arithmetic.

Plain records referring to each other and to the organisation's records; the writer
(:mod:`roadmaps.demo.write`) turns them into model rows.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..models import Goal
from . import texts
from .org import OrgPerson, OrgTeam, OrgUnit

if TYPE_CHECKING:
    from .plan import GoalsDemoSize

ZERO = Decimal("0")


@dataclass(slots=True)
class PeriodPlan:
    key: str  # "last", "current", "next" or "year"
    name: str
    kind: str
    start: date
    end: date

    def overlaps(self, other: PeriodPlan) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(slots=True)
class MetricPlan:
    key: str
    name: str
    unit: str
    aggregation: str
    direction: str
    description: str
    owner: OrgPerson | None


@dataclass(slots=True)
class TransitionPlan:
    from_stage: str
    to_stage: str
    at: datetime
    reason: str
    by: OrgPerson | None


@dataclass(slots=True)
class ProductPlan:
    key: int
    name: str
    slug: str
    unit: OrgUnit
    team: OrgTeam
    owner: OrgPerson
    stage: str = ""
    vision: str = ""
    transitions: list[TransitionPlan] = field(default_factory=list)


@dataclass(slots=True)
class VisionPlan:
    scope: str
    statement: str
    pillars: list[str]
    horizon: str
    unit: OrgUnit | None = None
    product: ProductPlan | None = None
    # The company vision is written first as it was, then revised: both are in history.
    first_version: tuple[str, list[str], str] | None = None


@dataclass(slots=True)
class GoalPlan:
    key: int
    title: str
    level: str
    tier: int
    owner: OrgPerson | None
    period: PeriodPlan
    scenario: str
    cadence: str
    kr_kind: str
    description: str = ""
    product: ProductPlan | None = None
    unit: OrgUnit | None = None
    team: OrgTeam | None = None
    visibility: str = Goal.Visibility.PUBLIC
    window: tuple[date, date] | None = None  # when its key results are checked in
    fixed_krs: int | None = None
    min_check_ins: int = 0
    # Derived, as the services would keep them:
    status: str = ""
    confidence: int | None = None
    progress: Decimal = ZERO
    last_check_in_at: datetime | None = None


@dataclass(slots=True)
class LinkPlan:
    child: GoalPlan
    parent: GoalPlan
    kind: str
    weight: Decimal


@dataclass(slots=True)
class KeyResultPlan:
    key: int
    goal: GoalPlan
    title: str
    unit: str
    direction: str
    start: Decimal
    target: Decimal
    decimals: int
    weight: Decimal
    metric: str
    final_fraction: float  # of the way from start to target, at the last check-in
    shape: float  # >1: slow start, <1: fast start
    check_ins: int = 0
    current: Decimal = ZERO
    progress: Decimal = ZERO


class Reading(NamedTuple):
    """One planned check-in of a key result."""

    at: datetime
    value: Decimal
    confidence: int | None
    note: str


@dataclass(slots=True)
class RoadmapItemPlan:
    product: ProductPlan
    title: str
    description: str
    horizon: str
    status: str
    owner: OrgPerson | None
    estimate_weeks: Decimal | None
    target_period: PeriodPlan | None = None
    goals: list[GoalPlan] = field(default_factory=list)


@dataclass
class GoalsPlan:
    """The demo's strategy and goals, in memory, ready to write."""

    size: GoalsDemoSize
    today: date
    tz: tzinfo
    seed: int
    periods: dict[str, PeriodPlan] = field(default_factory=dict)
    metrics: list[MetricPlan] = field(default_factory=list)
    products: list[ProductPlan] = field(default_factory=list)
    visions: list[VisionPlan] = field(default_factory=list)
    goals: list[GoalPlan] = field(default_factory=list)
    links: list[LinkPlan] = field(default_factory=list)
    key_results: list[KeyResultPlan] = field(default_factory=list)
    roadmap_items: list[RoadmapItemPlan] = field(default_factory=list)

    @property
    def check_in_count(self) -> int:
        return sum(kr.check_ins for kr in self.key_results)

    def readings(self, kr: KeyResultPlan) -> list[Reading]:
        return key_result_readings(kr, seed=self.seed, today=self.today, tz=self.tz)

    def digest(self) -> str:
        """A fingerprint by natural keys (e-mails, slugs, titles), readings included."""
        h = hashlib.sha256()
        for rows in (
            self.periods.values(),
            self.metrics,
            self.products,
            self.visions,
            self.goals,
            self.links,
            self.key_results,
            self.roadmap_items,
        ):
            for row in rows:
                h.update(_natural(row).encode())
        for kr in self.key_results:
            h.update(repr(self.readings(kr)).encode())
        return h.hexdigest()


def _natural(value, *, nested: bool = False) -> str:
    """A row by natural keys; inside a row, other planned rows are named by their key."""
    if isinstance(value, OrgPerson):
        return value.email
    if isinstance(value, OrgUnit):
        return value.slug
    if isinstance(value, OrgTeam):
        return value.name
    if nested and isinstance(value, ProductPlan | GoalPlan | PeriodPlan):
        return f"{type(value).__name__}:{value.key}"
    if is_dataclass(value):
        return repr([_natural(getattr(value, f.name), nested=True) for f in fields(value)])
    if isinstance(value, list | tuple):
        return repr([_natural(v, nested=nested) for v in value])
    return repr(value)


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def quarter_name(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def apportion(total: int, weights: list[int], minimums: list[int]) -> list[int]:
    """``total`` as whole parts, each at least its minimum, the rest in proportion to
    ``weights`` above the minimums (largest remainders, ties to the earliest)."""
    spare = total - sum(minimums)
    if spare < 0:
        raise ValueError(f"cannot apportion {total} over parts needing {sum(minimums)}")
    room = [max(w - m, 0) for w, m in zip(weights, minimums, strict=True)]
    if sum(room) == 0:
        room = [1] * len(weights)
    scale = spare / sum(room)
    raw = [r * scale for r in room]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [m + p for m, p in zip(minimums, parts, strict=True)]


def round_to(value: float, decimals: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number_text(value: Decimal) -> str:
    """12400 → "12,400"; 23.50 → "23.5"."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def key_result_readings(kr: KeyResultPlan, *, seed: int, today: date, tz: tzinfo) -> list[Reading]:
    """The check-ins of ``kr``: dated across its goal's window, moving from the start
    towards ``final_fraction`` of the way to the target along a curve, with some noise.

    Seeded by the key result alone, so the writer can regenerate them in chunks.
    """
    n = kr.check_ins
    if n == 0 or kr.goal.window is None:
        return []
    # random() only (not randint or choice): this runs half a million times for the
    # large demo, twice.
    rand = random.Random(f"{seed}-kr-{kr.key}").random
    first, last = kr.goal.window
    span = (last - first).days
    scenario = kr.goal.scenario
    hopeful = scenario in ("on_track", "achieved")
    base_confidence = {"on_track": 8, "achieved": 9, "at_risk": 5, "off_track": 3, "missed": 5}.get(
        scenario, 6
    )
    notes = texts.CHECK_IN_NOTES["good" if hopeful else "bad"]
    start, delta = float(kr.start), float(kr.target - kr.start)
    readings = []
    previous_at = None
    for i in range(n):
        share = (i + 1) / n
        day = first + timedelta(days=round(span * i / (n - 1)) if n > 1 else span)
        if last >= today:
            # A window that ends today (a quarter's first day): early-morning check-ins.
            at = datetime.combine(day, time(0, min(i, 59)), tzinfo=tz)
        else:
            minute = int(rand() * 600)  # office hours, 08:00–17:59
            at = datetime.combine(day, time(8 + minute // 60, minute % 60), tzinfo=tz)
        if previous_at is not None and at <= previous_at:
            at = previous_at + timedelta(minutes=1)
        previous_at = at
        fraction = kr.final_fraction * share**kr.shape
        if i < n - 1:
            fraction += (rand() - 0.5) * 0.06
        value = round_to(start + delta * max(fraction, -0.05), kr.decimals)
        confidence = None
        if rand() < 0.85:
            drift = round((share - 0.5) * (2 if hopeful else -2))
            jitter = (-1, 0, 0, 1)[int(rand() * 4)]
            confidence = min(10, max(0, base_confidence + drift + jitter))
        note = notes[int(rand() * len(notes))] if rand() < 0.2 else ""
        readings.append(Reading(at, value, confidence, note))
    return readings
