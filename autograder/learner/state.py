"""A learner's own record (hints seen so far), kept in ``.course/`` inside the course folder."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["load_state", "save_state"]

FOLDER = ".course"
FILE = "learner.json"


def load_state(root: Path) -> dict[str, Any]:
    path = root / FOLDER / FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(root: Path, state: dict[str, Any]) -> None:
    """Write the state whole or not at all (a crash mid-write leaves the old one)."""
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".learner-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)
    os.replace(temp, folder / FILE)
