"""Fixed sign-ins for the demo organisation (the demo database only).

Each login belongs to a Person of the demo org (see :func:`roles.demo.demo_cast`), so
signing in as ``pm@…`` shows ProductOrg through a PM's eyes, ``cpo@…`` through the
CPO's. Nothing is created unless the database holds the demo organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from roles.demo import DEMO_EMAIL_DOMAIN, demo_cast
from roles.models import Person
from roles.services import person_update

# Published in the README: this password protects demo data only.
DEMO_PASSWORD = "productorg-demo"


@dataclass(frozen=True)
class DemoLogin:
    """One demo sign-in: ``key`` names the person of the demo cast it belongs to."""

    key: str
    description: str
    hr_admin: bool = False

    @property
    def username(self) -> str:
        return f"{self.key}@{DEMO_EMAIL_DOMAIN}"


DEMO_LOGINS = (
    DemoLogin("hr", "HR admin: sets the organisation up, uses /admin/", hr_admin=True),
    DemoLogin("cpo", "Chief Product Officer: the whole organisation"),
    DemoLogin("director", "Director of Product: a business unit"),
    DemoLogin("head", "Head of Product: a product line under that Director"),
    DemoLogin("pm", "Product Manager: a team under that Head"),
)


@dataclass(frozen=True)
class DemoAccount:
    login: DemoLogin
    user: object
    person: Person


@transaction.atomic
def demo_logins_ensure() -> list[DemoAccount]:
    """Create (once) the demo logins and link each to its person; returns them all.

    Idempotent: existing logins keep their password. Returns an empty list when the
    database does not hold the demo organisation.
    """
    cast = demo_cast()
    if cast is None:
        return []
    User = get_user_model()
    hr_group, _ = Group.objects.get_or_create(name=settings.HR_ADMIN_GROUP)
    accounts = []
    hashed_password = None
    for login in DEMO_LOGINS:
        person = cast[login.key]
        first, _, last = person.full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=login.username,
            defaults={"email": login.username, "first_name": first, "last_name": last},
        )
        if created:
            # One (deliberately slow) hash serves every demo login: same password.
            hashed_password = hashed_password or make_password(DEMO_PASSWORD)
            user.password = hashed_password
        if login.hr_admin:
            # Staff so that /admin/ lets them in; what they may do there comes from the group.
            user.is_staff = True
            user.groups.add(hr_group)
        user.save()
        if person.user_id is None and not Person.objects.filter(user=user).exists():
            person_update(person=person, user=user)
        accounts.append(DemoAccount(login=login, user=user, person=person))
    return accounts
