"""A product owned by ``report`` (so ``leader`` and ``top`` edit it too, ``peer`` does
not), two metrics (a ``sum`` counter and a ``last`` gauge) and CSV files to upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roadmaps.models import LifecycleStage, Metric
from roadmaps.services import product_create

HX = {"HTTP_HX_REQUEST": "true"}
HEADER = "metric,product,timestamp,value,source\n"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def product(cast):
    return product_create(
        name="Checkout",
        slug="checkout",
        business_unit=cast.report.business_unit,
        owner=cast.report,
        stage=LifecycleStage.GROWTH,
    )


@pytest.fixture
def other_product(cast):
    return product_create(
        name="Wallet", slug="wallet", business_unit=cast.peer.business_unit, owner=cast.peer
    )


@pytest.fixture
def metrics(db):
    signups = Metric.objects.create(key="signups", name="Sign-ups", unit="users")
    wau = Metric.objects.create(
        key="weekly_active_users",
        name="Weekly active users",
        unit="users",
        aggregation=Metric.Aggregation.LAST,
    )
    return signups, wau


def csv_file(*lines: str, name: str = "readings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(f"{line}\n" for line in lines)).encode())


GOOD_ROWS = (
    "signups,checkout,2026-05-04T09:00:00Z,12,warehouse",
    "signups,checkout,2026-05-05T09:00:00Z,15,warehouse",
    "weekly_active_users,checkout,2026-05-05T00:00:00Z,1200,",
)
BAD_ROWS = (
    "signups,checkout,2026-05-04T09:00:00Z,12,warehouse",
    "nosuchmetric,checkout,2026-05-05T09:00:00Z,15,warehouse",
    "signups,checkout,yesterday,abc,warehouse",
)
