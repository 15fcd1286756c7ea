"""Start the worker on a notebook under limits, and read back what it observed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..checks.cases import Call
from ..nbgrader_bridge.cells import read_notebook
from .cells import CodeCell, code_cells

__all__ = ["Limits", "NotebookRun", "run_notebook"]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one run of a notebook may use."""

    wall_seconds: float = 60.0
    cpu_seconds: float = 30.0
    memory_mb: int = 512
    output_kb: int = 64
    processes: int = 16
    cell_seconds: float = 10.0
    call_seconds: float = 5.0

    @classmethod
    def from_grading(cls, grading: Any) -> Limits:
        """The limits in a manifest's ``grading`` section."""
        return cls(**{name: getattr(grading, name) for name in cls.__dataclass_fields__ if hasattr(grading, name)})


@dataclass(kw_only=True)
class NotebookRun:
    """What came back from one run: observations, cell problems, and how the run ended."""

    observations: list[dict[str, Any]] = field(default_factory=list)
    cell_problems: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    stopped: str = ""  # why the run ended early, in plain words
    output_dropped: int = 0


Wrapper = Callable[[list[str]], list[str]]


def run_notebook(
    notebook: Path,
    calls: Sequence[Call],
    limits: Limits,
    *,
    cells: Sequence[CodeCell] | None = None,
    wrap: Wrapper | None = None,
    scratch: Path | None = None,
) -> NotebookRun:
    """Run *notebook*'s code cells (or *cells*), then *calls*, in a child process under *limits*.

    *scratch* is the child's working copy of the notebook's folder (default: the
    folder itself); *wrap* turns the child's command into a sandboxed one, which
    may write only in *scratch*. Raises DataFileError when the notebook cannot be read.
    """
    if cells is None:
        cells = code_cells(read_notebook(notebook))
    folder = scratch or notebook.parent
    with tempfile.TemporaryDirectory(prefix="who-says-so-run-") as temp:
        results = (scratch / ".who-says-so-results.jsonl") if scratch else Path(temp) / "results.jsonl"
        results.touch()
        if scratch is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
            owner = scratch.stat()
            os.chown(results, owner.st_uid, owner.st_gid)  # the sandbox's user writes it
        job = {
            "folder": str(folder.resolve()),
            "results": str(results),
            "cells": [{"number": c.number, "source": c.source, "grade_id": c.grade_id} for c in cells],
            "calls": [call.to_data() for call in calls],
            "cell_seconds": limits.cell_seconds,
            "call_seconds": limits.call_seconds,
            "output_limit": limits.output_kb * 1024,
            "limits": {
                "cpu_seconds": limits.cpu_seconds,
                "memory_mb": limits.memory_mb,
                # counted per user, so only where the child runs as a user of its own (the sandbox)
                "processes": limits.processes if wrap is not None and _is_root() else None,
            },
        }
        command = [sys.executable, "-m", "autograder.runner.worker"]
        run, code = _start_and_wait(wrap(command) if wrap else command, json.dumps(job), limits, folder)
        _read_results(results, run)
    if not run.finished and not run.stopped:
        run.stopped = _why(code, limits)
    return run


def _start_and_wait(command: list[str], job: str, limits: Limits, folder: Path) -> tuple[NotebookRun, int]:
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=folder,
        start_new_session=True,
        env=_child_env(),
    )
    dropped = [0]
    reader = threading.Thread(target=_drain, args=(process.stdout, limits.output_kb * 1024, dropped), daemon=True)
    reader.start()
    run = NotebookRun()
    try:
        assert process.stdin is not None
        process.stdin.write(job.encode("utf-8"))
        process.stdin.close()
    except BrokenPipeError:
        pass
    try:
        code = process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        code = process.wait()
        run.stopped = f"it was still running after {limits.wall_seconds:g} seconds, so it was stopped"
    _kill_group(process)  # anything it started in the background goes too
    reader.join(timeout=5)
    run.output_dropped = dropped[0]
    return run, code


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _child_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0", MPLBACKEND="Agg")
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_parent
    return env


def _drain(stream: IO[bytes] | None, limit: int, dropped: list[int]) -> None:
    if stream is None:
        return
    kept = 0
    while chunk := stream.read(65536):
        room = max(limit - kept, 0)
        kept += min(len(chunk), room)
        dropped[0] += max(len(chunk) - room, 0)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _why(code: int, limits: Limits) -> str:
    """Why a run that did not finish its checks ended, as far as its exit status tells."""
    if code == -signal.SIGXCPU:
        return f"it used more than {limits.cpu_seconds:g} seconds of processor time, so it was stopped"
    if code == -signal.SIGKILL:
        return (f"it was killed: it used up its processor time ({limits.cpu_seconds:g} seconds) or its "
                "memory, or its own code killed it")
    if code < 0:
        return f"it was stopped by the signal {signal.Signals(-code).name}"
    return f"it exited (status {code}) before every check had run"


def _read_results(path: Path, run: NotebookRun) -> None:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut off when the process was stopped
        kind = record.pop("kind", None)
        if kind == "observation":
            run.observations.append(record)
        elif kind == "cell":
            run.cell_problems.append(record)
        elif kind == "output":
            run.output_dropped += int(record.get("dropped", 0))
        elif kind == "done":
            run.finished = True
