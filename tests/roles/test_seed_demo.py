"""``manage.py seed_demo``: a deterministic, realistic demo organisation and its logins."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from productorg.demo import DEMO_LOGINS, DEMO_PASSWORD
from roles.demo import DEMO_EMAIL_DOMAIN, demo_plan
from roles.models import BusinessUnit, Person, Position, Role, Team
from roles.selectors import person_subtree

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_LADDER = {
    "Chief Product Officer",
    "VP of Product",
    "Director of Product",
    "Head of Product",
    "Group Product Manager",
    "Principal Product Manager",
    "Senior Product Manager",
    "Product Manager",
    "Associate Product Manager",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict[str, list]:
    """The whole demo organisation by natural keys (no ids), to compare two runs."""
    return {
        "units": sorted(BusinessUnit.objects.values_list("name", "parent__name", "leader__email")),
        "teams": sorted(
            Team.objects.values_list("name", "business_unit__name", "kind", "lead__email")
        ),
        "people": sorted(
            Person.objects.values_list(
                "email",
                "full_name",
                "title",
                "role__name",
                "manager__email",
                "team__name",
                "business_unit__name",
                "location",
                "start_date",
            )
        ),
        "seats": sorted(
            Position.objects.values_list(
                "role__name",
                "title",
                "status",
                "budgeted_annual_cost",
                "holder__email",
                "reports_to__email",
                "reports_to_position__title",
                "team__name",
            ),
            key=repr,
        ),
    }


def test_the_small_demo_is_a_realistic_product_organisation():
    out, err = seed(size="small")

    assert "Seeded the small demo organisation" in out
    assert "100% seats" in err  # the progress report
    people = Person.objects.count()
    assert 150 <= people <= 250

    # One root, the CPO, and everyone reachable from it. As each person has one manager,
    # this also proves there is no cycle: nobody on a cycle is reachable from the root.
    cpo = Person.objects.get(manager__isnull=True)
    assert cpo.role.name == "Chief Product Officer"
    assert person_subtree(root=cpo).count() == people

    # Every rung of the product ladder, plus engineering, design and data people whose
    # roles were created as data.
    assert (
        set(
            Person.objects.filter(role__family=Role.Family.PRODUCT).values_list(
                "role__name", flat=True
            )
        )
        == PRODUCT_LADDER
    )
    for name, family in [
        ("Software Engineer", Role.Family.ENGINEERING),
        ("Engineering Manager", Role.Family.ENGINEERING),
        ("Product Designer", Role.Family.DESIGN),
        ("Data Analyst", Role.Family.DATA),
    ]:
        assert Role.objects.get(name=name).family == family
        assert Person.objects.filter(role__name=name).exists()
    assert Person.objects.filter(role__family=Role.Family.PRODUCT).count() < people / 2

    # Nested units: top units led by VPs, each holding sub-units led by Directors.
    tops = BusinessUnit.objects.filter(parent__isnull=True)
    assert tops.count() >= 3
    for top in tops:
        assert top.leader.role.name == "VP of Product"
        assert top.children.exists()
        for sub in top.children.all():
            assert sub.leader.role.name == "Director of Product"
            assert sub.leader.manager == top.leader

    # Teams of several kinds, each led by someone from its own unit.
    assert set(Team.objects.values_list("kind", flat=True)) >= {
        Team.Kind.PRODUCT,
        Team.Kind.PLATFORM,
        Team.Kind.DESIGN,
        Team.Kind.DATA,
    }
    for team in Team.objects.select_related("lead"):
        assert team.lead is not None and team.lead.business_unit_id == team.business_unit_id

    # Names, places and start dates of real people.
    assert Person.objects.values("location").distinct().count() >= 4
    assert not Person.objects.filter(start_date__isnull=True).exists()
    assert not Person.objects.filter(start_date__gt=timezone.localdate()).exists()
    assert not Person.objects.filter(full_name__regex=r"[0-9]").exists()
    assert Person.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count() == people

    # A filled seat for everyone in a product role; the hiring plan in every other status.
    product_people = set(
        Person.objects.filter(role__family=Role.Family.PRODUCT).values_list("pk", flat=True)
    )
    filled = Position.objects.filter(status=Position.Status.FILLED)
    assert set(filled.values_list("holder_id", flat=True)) == product_people
    for status in (Position.Status.OPEN, Position.Status.PLANNED, Position.Status.FROZEN):
        assert Position.objects.filter(status=status, holder__isnull=True).exists(), status
    assert not Position.objects.filter(budgeted_annual_cost__isnull=True).exists()
    assert Position.objects.filter(reports_to_position__isnull=False).exists()


def test_the_demo_is_the_same_on_every_run():
    seed(size="small")
    first = snapshot()
    seed(size="small", reset=True)
    assert snapshot() == first

    # The plan does not depend on the process either (string hashing is randomised).
    script = "from roles.demo import demo_plan; print(demo_plan(size='small').digest())"
    digests = {demo_plan(size="small").digest()}
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip().splitlines()[-1])
    assert len(digests) == 1


def test_seeding_again_leaves_the_organisation_alone():
    seed(size="small")
    before = snapshot()
    users = get_user_model().objects.count()

    out, _ = seed(size="small")

    assert "already has" in out
    assert snapshot() == before
    assert get_user_model().objects.count() == users


def test_demo_logins_belong_to_the_matching_people(client):
    seed(size="small")
    User = get_user_model()
    people = {}
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(DEMO_PASSWORD)
        people[login.key] = user.person

    assert people["cpo"].role.name == "Chief Product Officer"
    assert people["cpo"].manager is None
    assert people["director"].role.name == "Director of Product"
    assert people["head"].role.name == "Head of Product"
    assert people["head"].manager == people["director"]
    assert people["pm"].role.name == "Product Manager"
    assert person_subtree(root=people["head"]).filter(pk=people["pm"].pk).exists()

    hr = User.objects.get(username=f"hr@{DEMO_EMAIL_DOMAIN}")
    assert hr.is_staff and not hr.is_superuser
    assert hr.groups.filter(name=settings.HR_ADMIN_GROUP).exists()
    assert people["hr"].role.name == "HR Business Partner"
    assert not User.objects.get(username=f"pm@{DEMO_EMAIL_DOMAIN}").is_staff

    assert client.login(username=f"hr@{DEMO_EMAIL_DOMAIN}", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_reset_refuses_an_organisation_with_people_outside_the_demo():
    seed(size="small")
    Person.objects.create(full_name="Real Person", email="real.person@example.com")
    people = Person.objects.count()

    with pytest.raises(CommandError, match="not the demo"):
        seed(size="small", reset=True)

    assert Person.objects.count() == people


def test_an_organisation_being_set_up_is_neither_seeded_nor_reset():
    """HR created units but nobody yet: no demo on top of it, and no reset wipes it."""
    BusinessUnit.objects.create(name="Payments", slug="payments")

    out, _ = seed(size="small")
    assert "not seeding" in out
    with pytest.raises(CommandError, match="not the demo"):
        seed(size="small", reset=True)

    assert list(BusinessUnit.objects.values_list("name", flat=True)) == ["Payments"]
    assert not Person.objects.exists()
    assert not get_user_model().objects.exists()


def test_the_large_plan_has_the_documented_size():
    """Planned only (writing it takes minutes): 10,000 people, 1,500 in product roles."""
    plan = demo_plan(size="large")
    assert len(plan.people) == 10_000
    assert sum(1 for p in plan.people if p.role in PRODUCT_LADDER) == 1_500
    assert len(plan.units) == 60
    assert len(plan.teams) == 800
    assert len({p.email for p in plan.people}) == 10_000
    # Managers are planned before their reports: written level by level, no cycles.
    assert all(p.manager is None or p.manager < p.key for p in plan.people)
    assert sum(1 for p in plan.people if p.manager is None) == 1
