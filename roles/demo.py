"""The demo organisation: a deterministic, realistic product org for trying ProductOrg.

Generation happens in two steps. :func:`demo_plan` is pure: from a fixed random seed it
lays out units, teams, people and seats in memory, so two runs (on any machine, in any
process) plan the same organisation. :func:`demo_org_create` writes a plan with
``bulk_create``, one reporting level at a time: every manager exists before their
reports, so the tree is valid and acyclic by construction, without a cycle check per row.

The org is a product & technology organisation led by a Chief Product Officer. Each top
business unit is led by a VP of Product; each sub-unit by a Director of Product, with
Heads of Product, Group PMs and PMs beside a Director of Engineering, a Design Manager
and a Data Science Manager and their people. Product people hold filled seats; open,
planned and frozen seats with budgeted costs make up the hiring plan.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from productorg.errors import ApplicationError

from .models import BusinessUnit, Person, Position, Role, Team

DEMO_EMAIL_DOMAIN = "demo.productorg.test"
DEMO_SEED = 1729
# Start dates count back from a fixed day (not today) so that every run plans the same org.
REFERENCE_DATE = date(2025, 9, 1)
CHANGE_REASON = "Demo organisation"

ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DemoSize:
    """How big a demo organisation is."""

    name: str
    top_units: int
    sub_units_per_top: int
    people: int
    product_people: int
    teams: int
    heads_per_unit: int


SIZES = {
    "small": DemoSize("small", 3, 2, people=200, product_people=48, teams=30, heads_per_unit=1),
    "large": DemoSize(
        "large", 5, 11, people=10_000, product_people=1_500, teams=800, heads_per_unit=2
    ),
}

# --- The job ladder beyond product management (data, created with get_or_create) ---------
CPO = "Chief Product Officer"
VP = "VP of Product"
DIRECTOR = "Director of Product"
HEAD = "Head of Product"
GPM = "Group Product Manager"
PRINCIPAL_PM = "Principal Product Manager"
SENIOR_PM = "Senior Product Manager"
PM = "Product Manager"
APM = "Associate Product Manager"
DIRECTOR_ENG = "Director of Engineering"
EM = "Engineering Manager"
DESIGN_MANAGER = "Design Manager"
DATA_MANAGER = "Data Science Manager"
HR_PARTNER = "HR Business Partner"

F, T = Role.Family, Role.Track
# name: (family, track, level, summary). The product ladder itself is seeded by a migration;
# these defaults only apply where HR has removed one of its rungs.
ROLE_DEFAULTS: dict[str, tuple[str, str, int, str]] = {
    CPO: (F.PRODUCT, T.MANAGEMENT, 90, "Leads the product organisation."),
    VP: (F.PRODUCT, T.MANAGEMENT, 80, "Leads product for a large business area."),
    DIRECTOR: (F.PRODUCT, T.MANAGEMENT, 70, "Leads a group of product teams."),
    HEAD: (F.PRODUCT, T.MANAGEMENT, 65, "Leads product for a business unit or product line."),
    GPM: (F.PRODUCT, T.MANAGEMENT, 60, "Manages a small group of PMs."),
    PRINCIPAL_PM: (F.PRODUCT, T.INDIVIDUAL, 60, "Shapes strategy across teams."),
    SENIOR_PM: (F.PRODUCT, T.INDIVIDUAL, 50, "Owns a product end to end."),
    PM: (F.PRODUCT, T.INDIVIDUAL, 40, "Owns a product or feature area."),
    APM: (F.PRODUCT, T.INDIVIDUAL, 30, "Learns the craft on a scoped area."),
    DIRECTOR_ENG: (F.ENGINEERING, T.MANAGEMENT, 70, "Leads the engineering of a business unit."),
    EM: (F.ENGINEERING, T.MANAGEMENT, 60, "Leads an engineering team and grows its engineers."),
    "Staff Engineer": (F.ENGINEERING, T.INDIVIDUAL, 60, "Technical leadership across teams."),
    "Senior Software Engineer": (F.ENGINEERING, T.INDIVIDUAL, 50, "Designs and ships features."),
    "Software Engineer": (F.ENGINEERING, T.INDIVIDUAL, 40, "Builds and runs the product."),
    DESIGN_MANAGER: (F.DESIGN, T.MANAGEMENT, 60, "Leads a business unit's designers."),
    "Senior Product Designer": (F.DESIGN, T.INDIVIDUAL, 50, "Leads design of a product area."),
    "Product Designer": (F.DESIGN, T.INDIVIDUAL, 40, "Designs flows and interfaces."),
    "UX Researcher": (F.DESIGN, T.INDIVIDUAL, 45, "Brings customer insight to the teams."),
    DATA_MANAGER: (F.DATA, T.MANAGEMENT, 60, "Leads a business unit's data people."),
    "Senior Data Scientist": (F.DATA, T.INDIVIDUAL, 50, "Models and experiments at scale."),
    "Data Analyst": (F.DATA, T.INDIVIDUAL, 40, "Turns product data into decisions."),
    "Data Engineer": (F.DATA, T.INDIVIDUAL, 45, "Builds the pipelines behind the metrics."),
    HR_PARTNER: (F.OTHER, T.INDIVIDUAL, 50, "People partner of the product organisation."),
}
ENGINEER_RUNGS = (
    ("Staff Engineer", 8),
    ("Senior Software Engineer", 40),
    ("Software Engineer", 52),
)
DESIGNER_RUNGS = (("Senior Product Designer", 35), ("Product Designer", 45), ("UX Researcher", 20))
DATA_RUNGS = (("Senior Data Scientist", 30), ("Data Analyst", 40), ("Data Engineer", 30))
# Product ICs after each team's lead, in turn: every rung appears even in the small demo.
PM_RUNG_CYCLE = (PM, APM, PM, SENIOR_PM, APM, PM)
TEAM_LEAD_RUNGS = ((SENIOR_PM, 55), (PM, 45))
# Budgeted annual cost (EUR) of a seat, before a little spread per seat.
SEAT_COST = {
    CPO: 320_000,
    VP: 240_000,
    DIRECTOR: 190_000,
    HEAD: 170_000,
    GPM: 150_000,
    PRINCIPAL_PM: 150_000,
    SENIOR_PM: 120_000,
    PM: 95_000,
    APM: 65_000,
}
HIRING_PLAN_ROLES = (PM, SENIOR_PM, APM, PM, GPM, SENIOR_PM, PM)
HIRING_PLAN_STATUSES = ("open", "planned", "open", "frozen", "open", "planned")

# --- Names and places -----------------------------------------------------------------
TOP_UNITS = {
    "Consumer": (
        "Onboarding", "Search & Discovery", "Checkout", "Loyalty", "Mobile Apps",
        "Personalisation", "Content", "Notifications", "Accounts", "Reviews & Ratings",
        "Referrals",
    ),
    "Business": (
        "Self-serve", "Enterprise", "Billing", "Integrations", "Admin Console", "Analytics",
        "Reporting", "Partner Portal", "Procurement", "Contracts", "Marketplace",
    ),
    "Platform": (
        "Identity", "Payments Infrastructure", "Developer Experience", "Data Platform",
        "Observability", "API Gateway", "Messaging", "Storage", "Security",
        "Machine Learning Platform", "Core Services",
    ),
    "Growth": (
        "Acquisition", "Activation", "Retention", "Monetisation", "Pricing", "Experimentation",
        "Lifecycle Marketing", "SEO", "Growth Analytics", "Virality", "Trials",
    ),
    "Operations": (
        "Logistics", "Fulfilment", "Support Tools", "Fraud & Risk", "Compliance", "Supply",
        "Merchant Tools", "Catalogue", "Inventory", "Dispatch", "Returns",
    ),
}  # fmt: skip
HUBS = ("London", "Berlin", "Amsterdam", "Lisbon", "Toronto")
LOCATIONS = (
    *HUBS, "Paris", "Dublin", "Barcelona", "Stockholm", "Warsaw", "New York", "Remote",
)  # fmt: skip
PRODUCT_TEAM_SUFFIXES = (
    "Experience", "Journeys", "Web", "Mobile", "Growth", "Insights", "Workflows",
    "Self-serve", "Engagement", "Conversion", "Lifecycle", "Quality", "Automation", "Tools",
    "Signals", "Access",
)  # fmt: skip
PLATFORM_TEAM_SUFFIXES = ("Foundations", "Platform", "Infrastructure", "APIs", "Reliability")
FIRST_NAMES = (
    "Aaliyah", "Abdul", "Ada", "Adele", "Aditi", "Adrian", "Ahmed", "Aiko", "Aisha", "Alba",
    "Aleksander", "Alice", "Amara", "Amir", "Ana", "Anders", "Andrea", "Anika", "Anton",
    "Arjun", "Astrid", "Ayesha", "Beatriz", "Ben", "Bianca", "Björn", "Bruno", "Carla",
    "Carlos", "Catalina", "Chen", "Chloé", "Chris", "Clara", "Daan", "Dana", "Daniel",
    "Dario", "David", "Deepa", "Diego", "Dmitri", "Elena", "Elif", "Elijah", "Emeka", "Emil",
    "Emma", "Eoin", "Esra", "Ethan", "Eva", "Fatima", "Felix", "Femi", "Finn", "Freya",
    "Gabriel", "Giulia", "Grace", "Hannah", "Hassan", "Helena", "Hiroshi", "Ibrahim", "Ines",
    "Ingrid", "Isabel", "Ivan", "Jakub", "James", "Jana", "Javier", "Jin", "João", "Jonas",
    "Julia", "Kai", "Karim", "Kasia", "Kenji", "Kofi", "Lars", "Laura", "Layla", "Lea",
    "Leon", "Liam", "Lina", "Lucas", "Lucía", "Luka", "Maja", "Malik", "Marco", "Maria",
    "Mateo", "Matteo", "Maya", "Mehmet", "Mei", "Mia", "Mikael", "Nadia", "Naledi", "Nia",
    "Niamh", "Nikhil", "Nina", "Noah", "Nora", "Olga", "Oliver", "Omar", "Oscar", "Paolo",
    "Pedro", "Pia", "Priya", "Rafael", "Rania", "Ravi", "Rosa", "Ruth", "Sam", "Sara",
    "Sebastian", "Selin", "Siobhán", "Sofia", "Soo-ah", "Stefan", "Tariq", "Tess", "Theo",
    "Tomás", "Uma", "Valentina", "Victor", "Wei", "Yara", "Yusuf", "Zainab", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Abadi", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi",
    "Brennan", "Byrne", "Campbell", "Castro", "Chen", "Costa", "Dahl", "de Vries", "Dubois",
    "Eriksson", "Esposito", "Fernandes", "Fischer", "Fontaine", "García", "Gonzalez",
    "Gupta", "Haddad", "Hansen", "Hartmann", "Hoffmann", "Hughes", "Ibrahim", "Ivanova",
    "Jansen", "Jensen", "Johansson", "Kamau", "Kaur", "Khan", "Kim", "Kowalski", "Kumar",
    "Larsen", "Laurent", "Lee", "Lindqvist", "Lopez", "Mahmoud", "Martin", "Martínez",
    "Meyer", "Moreau", "Morris", "Murphy", "Nakamura", "Nguyen", "Nielsen", "Novak",
    "Nowak", "O'Brien", "O'Connor", "Okafor", "Okonkwo", "Oliveira", "Osei", "Owusu",
    "Park", "Patel", "Pereira", "Petrov", "Popescu", "Quinn", "Rahman", "Reddy", "Ricci",
    "Rodrigues", "Romano", "Rossi", "Russo", "Sánchez", "Santos", "Schmidt", "Schneider",
    "Shah", "Silva", "Singh", "Smith", "Sørensen", "Suzuki", "Svensson", "Tanaka", "Taylor",
    "Thompson", "Torres", "Van Dijk", "Varga", "Wagner", "Walsh", "Wang", "Weber", "Wilson",
    "Wójcik", "Yamamoto", "Yilmaz", "Young", "Zhang", "Zimmermann",
)  # fmt: skip


# --- The plan ---------------------------------------------------------------------------
@dataclass
class UnitPlan:
    key: int
    name: str
    parent: int | None
    leader: int | None = None


@dataclass
class TeamPlan:
    key: int
    name: str
    unit: int
    kind: str
    lead: int | None = None


@dataclass
class PersonPlan:
    key: int
    full_name: str
    email: str
    role: str
    title: str
    manager: int | None
    unit: int | None
    team: int | None
    location: str
    start_date: date
    depth: int


@dataclass
class SeatPlan:
    key: int
    role: str
    title: str
    status: str
    cost: Decimal
    team: int | None
    reports_to: int | None
    reports_to_seat: int | None = None
    holder: int | None = None


@dataclass
class DemoPlan:
    """A whole demo organisation in memory; keys are indexes into the lists."""

    size: DemoSize
    units: list[UnitPlan] = field(default_factory=list)
    teams: list[TeamPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    seats: list[SeatPlan] = field(default_factory=list)

    def digest(self) -> str:
        """A fingerprint of everything planned: equal digests, equal organisations."""
        h = hashlib.sha256()
        for rows in (self.units, self.teams, self.people, self.seats):
            for row in rows:
                h.update(repr(astuple(row)).encode())
        return h.hexdigest()


def split(rng: random.Random, total: int, minimums: list[int]) -> list[int]:
    """``total`` spread over ``len(minimums)`` parts, each at least its minimum, unevenly."""
    spare = total - sum(minimums)
    if spare < 0:
        raise ValueError(f"cannot spread {total} over parts needing {sum(minimums)}")
    weights = [rng.uniform(0.75, 1.25) for _ in minimums]
    raw = [spare * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [m + p for m, p in zip(minimums, parts, strict=True)]


def _email_part(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_name.lower() if c.isalnum())


class _Planner:
    def __init__(self, size: DemoSize, seed: int):
        self.rng = random.Random(f"{seed}-{size.name}")
        self.plan = DemoPlan(size=size)
        names = list(itertools.product(FIRST_NAMES, LAST_NAMES))
        self.rng.shuffle(names)
        self.names: Iterator[tuple[str, str]] = iter(names)
        self.emails: set[str] = set()
        self.pm_rungs = itertools.cycle(PM_RUNG_CYCLE)
        self.plan_roles = itertools.cycle(HIRING_PLAN_ROLES)
        self.plan_statuses = itertools.cycle(HIRING_PLAN_STATUSES)

    # -- rows ---------------------------------------------------------------------------
    def unit(self, name: str, parent: int | None) -> int:
        self.plan.units.append(UnitPlan(len(self.plan.units), name, parent))
        return len(self.plan.units) - 1

    def team(self, name: str, unit: int, kind: str) -> int:
        self.plan.teams.append(TeamPlan(len(self.plan.teams), name, unit, kind))
        return len(self.plan.teams) - 1

    def person(
        self,
        role: str,
        *,
        manager: int | None,
        unit: int | None,
        team: int | None = None,
        title: str = "",
        hub: str = "London",
        senior: bool = False,
    ) -> int:
        first, last = next(self.names)
        local = f"{_email_part(first)}.{_email_part(last)}"
        email, n = f"{local}@{DEMO_EMAIL_DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{DEMO_EMAIL_DOMAIN}"
        self.emails.add(email)
        location = hub if self.rng.random() < 0.65 else self.rng.choice(LOCATIONS)
        tenure = self.rng.randint(700, 4000) if senior else self.rng.randint(20, 2800)
        depth = 0 if manager is None else self.plan.people[manager].depth + 1
        self.plan.people.append(
            PersonPlan(
                key=len(self.plan.people),
                full_name=f"{first} {last}",
                email=email,
                role=role,
                title=title or role,
                manager=manager,
                unit=unit,
                team=team,
                location=location,
                start_date=REFERENCE_DATE - timedelta(days=tenure),
                depth=depth,
            )
        )
        return len(self.plan.people) - 1

    def seat(self, role: str, **fields) -> int:
        cost = SEAT_COST[role] * self.rng.uniform(0.92, 1.12)
        fields.setdefault("title", "")
        self.plan.seats.append(
            SeatPlan(
                key=len(self.plan.seats),
                role=role,
                cost=Decimal(round(cost / 500) * 500),
                **fields,
            )
        )
        return len(self.plan.seats) - 1

    def weighted(self, rungs: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([r for r, _ in rungs], weights=[w for _, w in rungs])[0]

    # -- the organisation ------------------------------------------------------------------
    def build(self) -> DemoPlan:
        size = self.plan.size
        cpo = self.person(CPO, manager=None, unit=None, senior=True)
        self.person(HR_PARTNER, manager=cpo, unit=None, title="HR Business Partner, Product")
        leaves: list[tuple[int, int, str]] = []  # (unit, VP, hub)
        first_leaves: list[int] = []
        for top_name, hub in zip(list(TOP_UNITS)[: size.top_units], HUBS, strict=False):
            top = self.unit(top_name, None)
            vp = self.person(
                VP, manager=cpo, unit=top, title=f"VP of Product, {top_name}", hub=hub, senior=True
            )
            self.plan.units[top].leader = vp
            for sub_name in TOP_UNITS[top_name][: size.sub_units_per_top]:
                leaves.append((self.unit(sub_name, top), vp, hub))
            first_leaves.append(leaves[-size.sub_units_per_top][0])
        for p in self.plan.people:
            if p.role in (CPO, VP):
                self.seat(p.role, status="filled", team=None, reports_to=p.manager, holder=p.key)

        # Spread teams and people over the sub-units, each getting at least what its
        # structure needs (a PM per product team, an engineer per engineering team…).
        rng = self.rng
        n = len(leaves)
        teams_per_leaf = split(rng, size.teams, [4] * n)
        platform = [max(1, round(0.2 * (t - 2))) for t in teams_per_leaf]
        product = [t - 2 - p for t, p in zip(teams_per_leaf, platform, strict=True)]
        gpms = [math.ceil(p / 3) for p in product]
        fixed_product = 1 + size.top_units + n  # the CPO, the VPs, the Directors
        product_people = split(
            rng,
            size.product_people - fixed_product,
            [size.heads_per_unit + g + p for g, p in zip(gpms, product, strict=True)],
        )
        other_people = split(
            rng,
            size.people - size.product_people - 1,  # less the HR partner, planned above
            [3 + 2 * (p + q) + 2 for p, q in zip(product, platform, strict=True)],
        )
        for i, (unit, vp, hub) in enumerate(leaves):
            self.leaf(
                unit=unit,
                vp=vp,
                hub=hub,
                product_teams=product[i],
                platform_teams=platform[i],
                gpm_count=gpms[i],
                product_people=product_people[i],
                other_people=other_people[i],
            )
        for unit in first_leaves:
            self.new_team_plan(unit)
        return self.plan

    def leaf(
        self,
        *,
        unit: int,
        vp: int,
        hub: str,
        product_teams: int,
        platform_teams: int,
        gpm_count: int,
        product_people: int,
        other_people: int,
    ) -> None:
        size, rng, name = self.plan.size, self.rng, self.plan.units[unit].name
        kw = {"unit": unit, "hub": hub}
        first_in_unit = len(self.plan.people)
        director = self.person(
            DIRECTOR, manager=vp, title=f"Director of Product, {name}", senior=True, **kw
        )
        self.plan.units[unit].leader = director

        suffixes = iter(PRODUCT_TEAM_SUFFIXES)
        product = [
            self.team(f"{name} {next(suffixes, f'Squad {j + 1}')}", unit, Team.Kind.PRODUCT)
            for j in range(product_teams)
        ]
        platform = [
            self.team(
                f"{name} {PLATFORM_TEAM_SUFFIXES[j % 5]}{'' if j < 5 else f' {j // 5 + 1}'}",
                unit,
                Team.Kind.PLATFORM,
            )
            for j in range(platform_teams)
        ]
        design = self.team(f"{name} Design", unit, Team.Kind.DESIGN)
        data = self.team(f"{name} Data", unit, Team.Kind.DATA)

        # Product management: Heads → Group PMs → PMs; a Group PM looks after about three
        # product teams, each led by its most senior PM.
        heads = [
            self.person(HEAD, manager=director, title=f"Head of Product, {name}", senior=True, **kw)
            for _ in range(size.heads_per_unit)
        ]
        group_of_team = [j % gpm_count for j in range(product_teams)]
        gpms = [
            self.person(
                GPM, manager=heads[k % len(heads)], team=product[group_of_team.index(k)], **kw
            )
            for k in range(gpm_count)
        ]
        ics = product_people - len(heads) - gpm_count
        for j, count in enumerate(split(rng, ics, [1] * product_teams)):
            team, manager = product[j], gpms[group_of_team[j]]
            # The unit's first team is led by a Principal PM, the others by a Senior PM or a PM.
            lead_rung = PRINCIPAL_PM if j == 0 else self.weighted(TEAM_LEAD_RUNGS)
            lead = self.person(lead_rung, manager=manager, team=team, **kw)
            self.plan.teams[team].lead = lead
            for _ in range(count - 1):
                self.person(next(self.pm_rungs), manager=manager, team=team, **kw)

        # Engineering, design and data, under the same Director.
        engineering = product + platform
        head_eng = self.person(
            DIRECTOR_ENG,
            manager=director,
            title=f"Director of Engineering, {name}",
            senior=True,
            **kw,
        )
        design_lead = self.person(DESIGN_MANAGER, manager=director, team=design, **kw)
        data_lead = self.person(DATA_MANAGER, manager=director, team=data, **kw)
        self.plan.teams[design].lead = design_lead
        self.plan.teams[data].lead = data_lead
        ems = [self.person(EM, manager=head_eng, team=t, **kw) for t in engineering]
        for t, em in zip(platform, ems[len(product) :], strict=True):
            self.plan.teams[t].lead = em
        rest = other_people - 3 - len(ems)
        engineers = max(len(engineering), round(rest * 0.78))
        engineers = min(engineers, rest - 2)
        designers = max(1, (rest - engineers) // 2)
        data_people = rest - engineers - designers
        for team, em, count in zip(
            engineering, ems, split(rng, engineers, [1] * len(engineering)), strict=True
        ):
            for _ in range(count):
                self.person(self.weighted(ENGINEER_RUNGS), manager=em, team=team, **kw)
        for _ in range(designers):
            self.person(self.weighted(DESIGNER_RUNGS), manager=design_lead, team=design, **kw)
        for _ in range(data_people):
            self.person(self.weighted(DATA_RUNGS), manager=data_lead, team=data, **kw)

        # Seats: one filled seat per person in a product role, then the hiring plan.
        product_in_unit = [
            p
            for p in self.plan.people[first_in_unit:]
            if ROLE_DEFAULTS[p.role][0] == Role.Family.PRODUCT
        ]
        for p in product_in_unit:
            self.seat(p.role, status="filled", team=p.team, reports_to=p.manager, holder=p.key)
        for _ in range(max(2, round(len(product_in_unit) * 0.1))):
            j = rng.randrange(product_teams)
            role = next(self.plan_roles)
            self.seat(
                role,
                status=next(self.plan_statuses),
                team=product[j],
                reports_to=heads[0] if role == GPM else gpms[group_of_team[j]],
            )

    def new_team_plan(self, unit: int) -> None:
        """A planned Group PM seat with two planned PM seats under it: a team to be."""
        head = next(p for p in self.plan.people if p.unit == unit and p.role == HEAD)
        name = self.plan.units[unit].name
        gpm_seat = self.seat(
            GPM,
            title=f"Group Product Manager, new {name} team",
            status="planned",
            team=None,
            reports_to=head.key,
        )
        for _ in range(2):
            self.seat(PM, status="planned", team=None, reports_to=None, reports_to_seat=gpm_seat)


def demo_plan(*, size: str = "small", seed: int = DEMO_SEED) -> DemoPlan:
    """Plan a demo organisation of ``size`` ("small" or "large"); same seed, same plan."""
    return _Planner(SIZES[size], seed).build()


# --- Writing a plan ---------------------------------------------------------------------
def _fk_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _validated(objs: list[models.Model]) -> list[models.Model]:
    """Field validation (lengths, e-mail format, choices) without a query per row."""
    if objs:
        exclude = [*_fk_names(type(objs[0])), "id"]
        for obj in objs:
            obj.clean_fields(exclude=exclude)
    return objs


def _bulk_create(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    return bulk_create_with_history(
        _validated(objs), model, batch_size=500, default_change_reason=CHANGE_REASON
    )


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def demo_roles_ensure() -> dict[str, Role]:
    """The roles the demo uses, by name; missing ones are created (they are data)."""
    roles = {}
    for name, (family, track, level, summary) in ROLE_DEFAULTS.items():
        roles[name], _ = Role.objects.get_or_create(
            name=name,
            defaults={"family": family, "track": track, "level": level, "summary": summary},
        )
    return roles


@dataclass(frozen=True)
class DemoSummary:
    people: int
    product_people: int
    units: int
    teams: int
    filled_seats: int
    hiring_plan_seats: int


@transaction.atomic
def demo_org_create(*, plan: DemoPlan, progress: ProgressCallback | None = None) -> DemoSummary:
    """Write ``plan`` into an organisation that has nobody in it yet.

    People are inserted one reporting level at a time (managers before their reports),
    so every reporting line points at an existing person and none can form a cycle.
    """
    if not demo_org_is_empty():
        raise ApplicationError("The organisation is not empty; the demo needs an empty one.")
    total = len(plan.units) + len(plan.teams) + len(plan.people) + len(plan.seats)
    done = 0

    def step(n: int, label: str) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total, label)

    roles = demo_roles_ensure()
    units: dict[int, BusinessUnit] = {}
    for depth_rows in (
        [u for u in plan.units if u.parent is None],
        [u for u in plan.units if u.parent is not None],
    ):
        objs = [
            BusinessUnit(
                name=u.name,
                slug=slugify(u.name),
                parent=units[u.parent] if u.parent is not None else None,
            )
            for u in depth_rows
        ]
        for u, obj in zip(depth_rows, _bulk_create(BusinessUnit, objs), strict=True):
            units[u.key] = obj
        step(len(objs), "business units")

    teams: dict[int, Team] = {}
    for chunk in _chunks(plan.teams, 500):
        objs = [Team(name=t.name, business_unit=units[t.unit], kind=t.kind) for t in chunk]
        for t, obj in zip(chunk, _bulk_create(Team, objs), strict=True):
            teams[t.key] = obj
        step(len(objs), "teams")

    people: dict[int, Person] = {}
    for depth in sorted({p.depth for p in plan.people}):
        level = [p for p in plan.people if p.depth == depth]
        for chunk in _chunks(level, 500):
            objs = [
                Person(
                    full_name=p.full_name,
                    email=p.email,
                    title=p.title,
                    role=roles[p.role],
                    manager=people[p.manager] if p.manager is not None else None,
                    business_unit=units.get(p.unit) if p.unit is not None else None,
                    team=teams.get(p.team) if p.team is not None else None,
                    location=p.location,
                    start_date=p.start_date,
                )
                for p in chunk
            ]
            for p, obj in zip(chunk, _bulk_create(Person, objs), strict=True):
                people[p.key] = obj
            step(len(objs), f"people (level {depth + 1})")

    # Leaders exist now: point units and teams at them.
    led_units = []
    for u in plan.units:
        units[u.key].leader = people[u.leader] if u.leader is not None else None
        led_units.append(units[u.key])
    bulk_update_with_history(
        led_units, BusinessUnit, ["leader"], batch_size=500, default_change_reason=CHANGE_REASON
    )
    led_teams = []
    for t in plan.teams:
        teams[t.key].lead = people[t.lead] if t.lead is not None else None
        led_teams.append(teams[t.key])
    bulk_update_with_history(
        led_teams, Team, ["lead"], batch_size=500, default_change_reason=CHANGE_REASON
    )

    # Seats: those reporting to a person first, then seats under a planned seat.
    seats: dict[int, Position] = {}
    for rows in (
        [s for s in plan.seats if s.reports_to_seat is None],
        [s for s in plan.seats if s.reports_to_seat is not None],
    ):
        for chunk in _chunks(rows, 500):
            objs = [
                Position(
                    title=s.title,
                    role=roles[s.role],
                    team=teams.get(s.team) if s.team is not None else None,
                    reports_to=people[s.reports_to] if s.reports_to is not None else None,
                    reports_to_position=(
                        seats[s.reports_to_seat] if s.reports_to_seat is not None else None
                    ),
                    holder=people[s.holder] if s.holder is not None else None,
                    status=s.status,
                    budgeted_annual_cost=s.cost,
                    currency="EUR",
                )
                for s in chunk
            ]
            for s, obj in zip(chunk, _bulk_create(Position, objs), strict=True):
                seats[s.key] = obj
            step(len(objs), "seats")

    return DemoSummary(
        people=len(plan.people),
        product_people=sum(1 for p in plan.people if roles[p.role].is_product_role),
        units=len(plan.units),
        teams=len(plan.teams),
        filled_seats=sum(1 for s in plan.seats if s.holder is not None),
        hiring_plan_seats=sum(1 for s in plan.seats if s.holder is None),
    )


def demo_org_is_empty() -> bool:
    """Whether the organisation has no people, no business units and no teams yet."""
    return not (Person.objects.exists() or BusinessUnit.objects.exists() or Team.objects.exists())


def demo_org_is_demo() -> bool:
    """Whether the organisation is a demo one: people, all of them in the demo's domain."""
    demo = Person.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    return demo.exists() and not Person.objects.exclude(pk__in=demo.values("pk")).exists()


@transaction.atomic
def demo_org_delete() -> int:
    """Delete the demo organisation (people, seats, teams, units, demo logins).

    Refused unless the organisation has people and all of them are in the demo's e-mail
    domain, so a real organisation is never wiped by mistake. Returns how many people
    were deleted.
    """
    if not demo_org_is_demo():
        raise ApplicationError(
            "The organisation is not the demo (it has people outside the demo, or none); "
            "refusing to delete it."
        )
    count = Person.objects.count()
    try:
        Position.objects.all().delete()
        # Break the references inside the organisation, then delete it leaves-first.
        BusinessUnit.objects.update(leader=None)
        Team.objects.update(lead=None)
        Person.objects.update(manager=None)
        Person.objects.all().delete()
        Team.objects.all().delete()
        BusinessUnit.objects.filter(parent__isnull=False).delete()
        BusinessUnit.objects.all().delete()
    except ProtectedError as exc:
        raise ApplicationError(
            "Other data (products, goals…) still points at the demo organisation; "
            "start from an empty database instead."
        ) from exc
    get_user_model().objects.filter(username__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
    return count


def demo_cast() -> dict[str, Person] | None:
    """The people of the demo organisation that the demo logins belong to.

    Found by their place in the org, so the lookup works on any run of the generator:
    the CPO at the top; a PM whose chain is Group PM → Head → Director of Product; the
    HR business partner. None when the database does not hold the demo organisation.
    """
    demo = Person.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    cpo = demo.filter(role__name=CPO, manager__isnull=True).order_by("email").first()
    hr = demo.filter(role__name=HR_PARTNER).order_by("email").first()
    pm = (
        demo.filter(
            role__name=PM,
            manager__role__name=GPM,
            manager__manager__role__name=HEAD,
            manager__manager__manager__role__name=DIRECTOR,
        )
        .select_related("manager__manager__manager")
        .order_by("email")
        .first()
    )
    if not (cpo and hr and pm):
        return None
    head = pm.manager.manager
    return {"hr": hr, "cpo": cpo, "director": head.manager, "head": head, "pm": pm}
