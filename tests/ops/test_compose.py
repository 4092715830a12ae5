"""docker-compose.yml and the Dockerfile cannot rot: checked offline (no Docker engine)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_compose_file_follows_the_compose_specification(tmp_path):
    result = validate(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr

    # The check does reject a broken file (so the line above can fail).
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: productorg\n    helthcheck: {}\n")
    assert validate(broken).returncode != 0


def test_compose_runs_web_worker_beat_postgres_and_redis(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert "SECRET_KEY" in env
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"

    assert "productorg.wsgi:application" in services["web"]["command"]
    assert any("DatabaseScheduler" in part for part in services["beat"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "productorg", "worker"]

    # Health checks, the web one on a URL that exists and needs no sign-in.
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    probe = " ".join(services["web"]["healthcheck"]["test"])
    path = re.search(r"127\.0\.0\.1:8000(/\S*?)'", probe).group(1)
    assert resolve(path).url_name == "healthz"

    # The database lives in a named volume.
    volume = services["postgres"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_the_image_installs_the_locked_dependencies_without_the_dev_group():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    assert re.search(r"uv sync --locked --no-dev\b", dockerfile)
    # The same uv as `make` bootstraps, so the lock means the same thing in both places.
    makefile_uv = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert f"uv=={makefile_uv.group(1)}" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "var"} <= set(ignored)
