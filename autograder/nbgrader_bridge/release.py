"""Make ``exercises/`` (nbgrader's release) from ``solutions/`` (its source), and find drift."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..layout import RELEASE
from .tools import generate_assignment

__all__ = ["release", "release_drift"]


def release(root: Path, exercises: list[str], *, into: Path | None = None, gradebook: Path | None = None) -> None:
    """Generate the release of each of *exercises* with nbgrader's ``generate_assignment``.

    By default the release goes to the course's ``exercises/`` and the course's
    gradebook records it, as ``nbgrader generate_assignment --force`` would.
    *into* and *gradebook* send both elsewhere (for a dry run).
    """
    overrides: dict[str, str] = {}
    if into is not None:
        overrides["release_directory"] = str(into.resolve())
    if gradebook is not None:
        overrides["db_url"] = f"sqlite:///{gradebook.resolve()}"
    for name in exercises:
        generate_assignment(root, name, **overrides)


def release_drift(root: Path, exercises: list[str]) -> list[str]:
    """The files of ``exercises/`` that differ from a fresh release (empty when there is no drift)."""
    with tempfile.TemporaryDirectory(prefix="who-says-so-release-") as scratch:
        fresh = Path(scratch) / "release"
        release(root, exercises, into=fresh, gradebook=Path(scratch) / "gradebook.db")
        drift = []
        for name in exercises:
            made = _files(fresh / name)
            kept = _files(root / RELEASE / name)
            for relative in sorted(set(made) | set(kept)):
                if relative not in kept:
                    drift.append(f"{RELEASE}/{name}/{relative} is missing")
                elif relative not in made:
                    drift.append(f"{RELEASE}/{name}/{relative} is not made from the source any more")
                elif _content(made[relative]) != _content(kept[relative]):
                    drift.append(f"{RELEASE}/{name}/{relative} differs from a fresh release")
        return drift


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def _content(path: Path) -> object:
    if path.suffix == ".ipynb":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return path.read_bytes()
    return path.read_bytes()
