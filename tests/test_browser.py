"""JupyterLab in a real browser: a lesson and an exercise run, the feedback table shows, and nbgrader's
Validate button agrees with the check cells (success on the reference, the failing task named).

Uses Debian's Chromium, driven by Playwright's Python package (no browser download). Screenshots
go to test-artifacts/. Where Chromium or Playwright is missing the tests are skipped, with the
reason in pytest's summary.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, copy_course, solved_release, tool_env

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "who-says-so-browser-test"

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (on Debian: apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="Playwright's Python package is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab serving a copy of the course (exercise 01 answered as the reference does)."""
    course = copy_course(tmp_path_factory.mktemp("browser") / "course")
    notebook = course / "exercises" / "01-provenance" / "provenance.ipynb"
    solved = solved_release(course, "01-provenance", "provenance.ipynb")
    notebook.write_text(json.dumps(solved), "utf-8")
    # A learner's working copy with one wrong task: task 2 splits at every full stop.
    wrong = course / "work" / "01-provenance"
    shutil.copytree(course / "exercises" / "01-provenance", wrong)
    for cell in solved["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task2-split-sentences":
            cell["source"] = "def split_sentences(text):\n    return [s.strip() + '.' for s in text.split('.') if s.strip()]\n"
    (wrong / "provenance.ipynb").write_text(json.dumps(solved), "utf-8")
    port = free_port()
    home = tmp_path_factory.mktemp("jupyter-home")
    settings = home / "settings" / "@jupyterlab"
    # Render every cell (no windowing), so outputs far down the notebook are in the page; no news pop-up.
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={course}", f"--LabApp.workspaces_dir={home}",
               f"--LabApp.user_settings_dir={home / 'settings'}", "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(tool_env(), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()}") from None
            time.sleep(0.5)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture
def page(lab: str) -> Iterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        context.close()
        browser.close()


def open_and_run_all(page: Page, url: str, path: str) -> None:
    workspace = Path(path).stem  # a workspace of its own, so no earlier test's tabs come back
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{path}?reset&token={TOKEN}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    ran = page.locator(".jp-InputArea-prompt", has_text="[")
    for _ in range(4):  # a click that lands before the kernel is connected runs nothing: click again
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                                   ".some(p => /\\[[0-9*]+\\]/.test(p.textContent))", timeout=15_000)
            return
        except Exception:
            continue
    raise AssertionError(f"Run All Cells did not start {path}; {ran.count()} prompts")


def test_an_exercise_shows_the_feedback_table_for_every_task_and_offers_validate(page: Page, lab: str) -> None:
    open_and_run_all(page, lab, "exercises/01-provenance/provenance.ipynb")
    tables = page.locator(".who-says-so-feedback")
    tables.nth(2).wait_for(state="attached", timeout=60_000)
    tables.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "exercise-01-feedback.png"))
    assert tables.count() == 3
    first = tables.first.text_content() or ""
    assert "Task 1 · strip_boilerplate: 2 of 2 points from the visible checks" in first
    assert "Hidden checks worth 2 more points run when your work is graded" in first
    toolbar = page.locator(".jp-NotebookPanel-toolbar")
    assert toolbar.get_by_text("Validate", exact=True).count() == 1, "nbgrader's Validate button is in the toolbar"


def press_validate(page: Page, url: str, path: str) -> str:
    """Open *path*, press nbgrader's Validate button, and return the text of the dialog it shows."""
    workspace = "validate-" + Path(path).parent.parent.name
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{path}?reset&token={TOKEN}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.locator(".validation-success, .validation-failed").wait_for(state="visible", timeout=180_000)
    page.screenshot(path=str(ARTIFACTS / f"{workspace}.png"))
    return dialog.text_content() or ""


def test_validate_passes_the_reference_solution(page: Page, lab: str) -> None:
    text = press_validate(page, lab, "exercises/01-provenance/provenance.ipynb")
    assert "Success! Your notebook passes all the tests." in text
    assert "Partial credit" not in text


def test_validate_names_the_failing_task_in_the_check_tables_words(page: Page, lab: str) -> None:
    text = press_validate(page, lab, "work/01-provenance/provenance.ipynb")
    assert "The following cell failed:" in text and text.count("points = check(") == 1
    assert "Task 2 · split_sentences: " in text and "visible checks failed" in text
    assert "Called:" in text and "Hint:" in text
    assert "Task 1 ·" not in text and "Task 3 ·" not in text and "Partial credit" not in text


def test_a_lesson_runs_in_the_browser_without_errors(page: Page, lab: str) -> None:
    open_and_run_all(page, lab, "lessons/01-provenance.ipynb")
    figure = page.locator(".jp-OutputArea-output img").first
    figure.wait_for(state="attached", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lesson-01.png"))
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
