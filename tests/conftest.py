"""Shared fixtures: the permission cast, org builders and real services.

Tests that need PostgreSQL, Redis or a browser skip where those are missing, unless
``PRODUCTORG_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns such a skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from roles.ladder import seed_default_ladder, seed_default_responsibilities
from roles.models import (
    BusinessUnit,
    Person,
    ResponsibilityArea,
    Role,
    RoleResponsibility,
    Team,
)

from .factories import PersonFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("PRODUCTORG_REQUIRE_SERVICES") == "1"


@receiver(post_migrate)
def _reseed_reference_data(sender, **kwargs):
    """Transactional tests flush every table (data migrations' rows too) and then emit
    post_migrate: put the default ladder back so later tests find it, as after migrate."""
    if sender.name == "roles":
        from django.contrib.auth.models import Group

        seed_default_ladder(role_model=Role, group_model=Group)
        seed_default_responsibilities(
            area_model=ResponsibilityArea, role_model=Role, raci_model=RoleResponsibility
        )


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing demo passwords properly costs ~0.5 s a user; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PRODUCTORG_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture
def require_postgres(db):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis: set REDIS_URL=redis://…")
    return settings.REDIS_URL


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        skip_or_fail("needs Debian's chromium (apt-get install chromium)")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@dataclass
class Cast:
    """The fixed cast of the permission matrix.

    ``leader`` manages ``report``; ``report`` manages ``subreport``; ``peer`` sits in
    another branch under ``top``; ``outsider`` is a login with no Person; ``hr`` is an
    HR admin.
    """

    top: Person
    leader: Person
    report: Person
    subreport: Person
    peer: Person
    hr_user: object
    outsider_user: object

    @property
    def leader_user(self):
        return self.leader.user

    @property
    def report_user(self):
        return self.report.user

    @property
    def peer_user(self):
        return self.peer.user


@pytest.fixture
def cast(db) -> Cast:
    unit = BusinessUnit.objects.create(name="Payments", slug="payments")
    team = Team.objects.create(name="Checkout", business_unit=unit)
    roles = {r.name: r for r in Role.objects.all()}

    def person(name, role, manager=None, login=True):
        user = UserFactory(username=f"{name.lower()}@example.com") if login else None
        return PersonFactory(
            full_name=name,
            email=f"{name.lower()}@example.com",
            role=roles[role],
            title=role,
            manager=manager,
            user=user,
            business_unit=unit,
            team=team,
        )

    top = person("Carla", "Chief Product Officer")
    leader = person("Dana", "Director of Product", top)
    report = person("Priya", "Senior Product Manager", leader)
    subreport = person("Sam", "Associate Product Manager", report)
    peer = person("Omar", "Director of Product", top)
    hr_user = UserFactory(username="hr@example.com", hr_admin=True)
    outsider_user = UserFactory(username="outsider@example.com")
    return Cast(top, leader, report, subreport, peer, hr_user, outsider_user)


def build_org(*, size: int, unit: BusinessUnit | None = None, fanout: int = 6) -> Person:
    """A balanced org of ``size`` people (bulk-created) under one root; returns the root."""
    unit = unit or BusinessUnit.objects.create(name=f"Org {size}", slug=f"org-{size}")
    team = Team.objects.create(name=f"Team {size}", business_unit=unit)
    role = Role.objects.get(name="Product Manager")
    root = Person.objects.create(
        full_name=f"Root {size}",
        email=f"root{size}@example.com",
        role=role,
        business_unit=unit,
        team=team,
    )
    level = [root]
    created = 1
    while created < size:
        batch = []
        for parent in level:
            for _ in range(fanout):
                if created + len(batch) >= size:
                    break
                n = created + len(batch)
                batch.append(
                    Person(
                        full_name=f"P{size}-{n}",
                        email=f"p{size}-{n}@example.com",
                        role=role,
                        manager=parent,
                        business_unit=unit,
                        team=team,
                    )
                )
        level = Person.objects.bulk_create(batch)
        created += len(batch)
    return root


pytest_plugins = ["tests.workers"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own test database, so concurrent runs never share one."""
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        base = test.get("NAME") or f"test_{db['NAME']}"
        test["NAME"] = f"{base}_p{os.getpid()}"
