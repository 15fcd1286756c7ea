"""The class report in a real browser: it opens from disk, its plots load, its tables and the similar pair show.

Uses Debian's Chromium through Playwright, as tests/test_browser.py does. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import ROOT
from .test_report import EXERCISE, expected_cases, graded, reported, results  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (on Debian: apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="Playwright's Python package is not installed"),
]


@pytest.fixture
def browser_page() -> Iterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_the_exercise_page_opens_from_disk_with_its_plots_tables_and_similar_pair(
    reported: Path, browser_page: Page  # noqa: F811
) -> None:
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((reported / "reports" / f"{EXERCISE}.html").as_uri())
    page.wait_for_load_state("load")
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    images = page.locator("figure img")
    assert images.count() == 4
    for index in range(images.count()):
        image = images.nth(index)
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the SVG plot decoded"
        described = page.locator(f"#{image.get_attribute('aria-describedby')}")
        assert "Bar chart of how many" in described.inner_text(), "a description for screen readers"
    page.screenshot(path=str(ARTIFACTS / "report-scores.png"))

    rows = page.locator("#cases tr[data-case]")
    expected = expected_cases(reported)
    assert rows.count() == len(expected)
    first = rows.first
    top = max(expected.values(), key=lambda c: c["failed"] / c["answered"])
    assert first.locator("td").nth(1).inner_text() == f"{top['failed']} of {top['answered']}"
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-cases.png"))

    pair = page.locator("#pairs tr[data-pair]")
    assert pair.count() == 1 and "sim-a" in pair.inner_text() and "sim-b" in pair.inner_text()
    side = page.locator("details.side-by-side").first
    assert side.is_visible()
    marks = side.locator("mark")
    assert marks.count() >= 2 and marks.first.is_visible(), "the matching parts are marked on both sides"
    side.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-similar.png"))

    lowest = page.locator("#lowest tr[data-student]")
    assert lowest.count() >= 5
    assert page.locator("#written").is_visible()
    page.locator("#help").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-help.png"))


def test_the_course_page_links_to_the_exercise_page(reported: Path, browser_page: Page) -> None:  # noqa: F811
    page = browser_page
    page.goto((reported / "reports" / "index.html").as_uri())
    row = page.locator("#exercises tr[data-exercise]")
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text() == str(len(results(reported)))
    assert page.locator("figure img").first.evaluate("img => img.naturalWidth > 0")
    page.screenshot(path=str(ARTIFACTS / "report-course.png"))
    row.locator("a").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"{EXERCISE}.html")
