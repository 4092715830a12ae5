"""The README stays true to the code: logins, commands, settings and demo sizes."""

from __future__ import annotations

import re
from pathlib import Path

from productorg.demo import DEMO_LOGINS, DEMO_PASSWORD
from roles.demo import SIZES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_quick_start_is_make_run_then_make_test():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "```sh\nmake run\nmake test\n```" in quick_start


def test_the_demo_logins_table_matches_the_demo():
    assert f"**`{DEMO_PASSWORD}`**" in README
    for login in DEMO_LOGINS:
        assert f"| `{login.username}`" in README, login.username


def test_every_makefile_target_is_documented():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.search(r"^\.PHONY: (.+)$", makefile, re.M).group(1).split()
    for target in targets:
        if target != "help":
            assert f"`make {target}`" in README, target


def test_every_documented_variable_is_read_by_the_code():
    config = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| ([^|]+)\|", config, re.M))
    names = {name for cell in documented for name in re.findall(r"`([A-Z][A-Z_]+)`", cell)}
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PRODUCTORG_VAR_DIR"} <= names
    code = (ROOT / "productorg" / "settings.py").read_text() + (
        ROOT / "productorg" / "management" / "commands" / "rundemo.py"
    ).read_text()
    for name in names:
        assert f'"{name}"' in code, f"{name} is documented but never read"


def test_the_demo_sizes_are_the_generated_ones():
    small, large = SIZES["small"], SIZES["large"]
    assert f"{small.people} people, {small.product_people} of them in product roles" in README
    assert (
        f"{large.people:,} people ({large.product_people:,} in product roles), "
        f"{large.top_units * (1 + large.sub_units_per_top)} business units, "
        f"{large.teams} teams"
    ) in README
