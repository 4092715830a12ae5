"""Playwright on Debian's chromium, against pytest-django's live server.

Skips (or fails under ``PRODUCTORG_REQUIRE_SERVICES=1``) through ``chromium_path`` when
the browser is missing; ``playwright install`` is never needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls
# (building the org) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def screenshot(page):
    """``screenshot(name)`` saves a full-page PNG into test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, target=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        target = target or page
        target.evaluate("window.scrollTo(0, 0)")
        target.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take
