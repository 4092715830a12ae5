"""CI hygiene: the CI script parses, and `make test` fails when pytest collects nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_ci_script_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True)
    assert result.returncode == 0, result.stderr


def test_make_test_fails_when_no_test_is_collected():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        ["make", "--no-print-directory", "test", "PYTEST_ARGS=-k no_test_is_called_this -q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0, result.stdout
    assert "no tests ran" in result.stdout or "deselected" in result.stdout
