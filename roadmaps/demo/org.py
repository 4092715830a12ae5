"""The organisation as the goals planner sees it: plain records, read once.

Built from the database (:meth:`OrgView.from_db`) or from a plan of the organisation
(:meth:`OrgView.from_plan`), so the strategy can be planned, and tested, without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify

from roles.demo import CPO, DIRECTOR, GPM, HEAD, PM, DemoPlan


@dataclass(frozen=True, slots=True)
class OrgPerson:
    id: int
    email: str
    full_name: str
    role: str
    manager_id: int | None
    team_id: int | None
    unit_id: int | None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrgUnit:
    id: int
    name: str
    slug: str
    parent_id: int | None
    leader_id: int | None


@dataclass(frozen=True, slots=True)
class OrgTeam:
    id: int
    name: str
    unit_id: int
    kind: str
    lead_id: int | None


@dataclass
class OrgView:
    """Units (by slug), teams (by name) and people (by e-mail) of the organisation."""

    units: list[OrgUnit]
    teams: list[OrgTeam]
    people: list[OrgPerson]

    def __post_init__(self) -> None:
        self.person = {p.id: p for p in self.people}
        self.unit = {u.id: u for u in self.units}
        self.team = {t.id: t for t in self.teams}

    @classmethod
    def from_db(cls) -> OrgView:
        """The organisation in the database (three queries)."""
        from roles.models import BusinessUnit, Person, Team

        units = BusinessUnit.objects.order_by("slug", "id").values_list(
            "id", "name", "slug", "parent_id", "leader_id"
        )
        teams = Team.objects.order_by("name", "id").values_list(
            "id", "name", "business_unit_id", "kind", "lead_id"
        )
        people = (
            Person.objects.filter(is_active=True)
            .order_by("email", "id")
            .values_list(
                "id", "email", "full_name", "role__name", "manager_id", "team_id",
                "business_unit_id", "user_id",
            )
        )  # fmt: skip
        return cls(
            units=[OrgUnit(*row) for row in units],
            teams=[OrgTeam(*row) for row in teams],
            people=[OrgPerson(*row) for row in people],
        )

    @classmethod
    def from_plan(cls, plan: DemoPlan) -> OrgView:
        """The organisation ``plan`` would write (ids are plan keys + 1): plans without a database."""

        def ref(key: int | None) -> int | None:
            return None if key is None else key + 1

        units = [OrgUnit(u.key + 1, u.name, slugify(u.name), ref(u.parent), ref(u.leader)) for u in plan.units]  # fmt: skip
        teams = [OrgTeam(t.key + 1, t.name, t.unit + 1, t.kind, ref(t.lead)) for t in plan.teams]
        people = [
            OrgPerson(p.key + 1, p.email, p.full_name, p.role, ref(p.manager), ref(p.team), ref(p.unit))
            for p in plan.people
        ]  # fmt: skip
        return cls(
            units=sorted(units, key=lambda u: u.slug),
            teams=sorted(teams, key=lambda t: t.name),
            people=sorted(people, key=lambda p: p.email),
        )

    def manager(self, person: OrgPerson) -> OrgPerson | None:
        return self.person.get(person.manager_id) if person.manager_id else None

    def above(self, person: OrgPerson, role: str) -> OrgPerson | None:
        """The nearest person above ``person`` holding ``role``."""
        current = self.manager(person)
        while current is not None and current.role != role:
            current = self.manager(current)
        return current

    def cast(self) -> dict[str, OrgPerson]:
        """The people of the demo logins, by the rule of :func:`roles.demo.demo_cast`."""
        cpo = next(p for p in self.people if p.role == CPO and p.manager_id is None)
        for person in self.people:  # by e-mail
            gpm = self.manager(person)
            head = gpm and self.manager(gpm)
            director = head and self.manager(head)
            if (
                person.role == PM
                and gpm is not None
                and gpm.role == GPM
                and head is not None
                and head.role == HEAD
                and director is not None
                and director.role == DIRECTOR
            ):
                return {"cpo": cpo, "director": director, "head": head, "pm": person}
        raise ValueError("The organisation has no PM under a Group PM, a Head and a Director.")
