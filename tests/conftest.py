"""Shared fixtures: the course folder, a scratch copy of it, and nbgrader on the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE_PARTS = ["course.yaml", "nbgrader_config.py", "data", "lessons", "solutions", "exercises"]


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


def copy_course(target: Path) -> Path:
    """A copy of the course's own files (no gradebook, no student work) in *target*."""
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")


def tool_env() -> dict[str, str]:
    """The environment with this Python's scripts (nbgrader, alembic, course) first on PATH."""
    scripts = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=scripts + os.pathsep + os.environ.get("PATH", ""))


def run_tool(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command-line tool of this environment (nbgrader, course) in *cwd*."""
    result = subprocess.run(args, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
