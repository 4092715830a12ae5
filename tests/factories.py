"""factory_boy factories for the organisation."""

from __future__ import annotations

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from roles.models import BusinessUnit, Person, Position, Role, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def hr_admin(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=settings.HR_ADMIN_GROUP)[0])


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    slug = factory.Sequence(lambda n: f"unit-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    business_unit = factory.SubFactory(BusinessUnitFactory)
    kind = Team.Kind.PRODUCT


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("name",)

    name = "Product Manager"
    family = Role.Family.PRODUCT
    track = Role.Track.INDIVIDUAL
    level = 40


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    title = "Product Manager"
    role = factory.LazyFunction(lambda: Role.objects.get(name="Product Manager"))
    manager = None
    team = None
    business_unit = None
    is_active = True


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    role = factory.LazyFunction(lambda: Role.objects.get(name="Product Manager"))
    status = Position.Status.OPEN
    budgeted_annual_cost = 120000
