"""Which isolation this host allows, and how to wrap a worker's command in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Isolation", "detect_isolation", "FIRST_UID"]

FIRST_UID = 61000
"""Submissions run as user FIRST_UID + slot (one user per parallel worker), never as the grader's user."""

NAMESPACES = "linux namespaces (no network, own process tree and mounts, course folder hidden) + unprivileged user"
USER_ONLY = "unprivileged user only (no namespaces on this host)"
LIMITS_ONLY = "resource limits only (not run as root, so no user switch or namespaces)"


@dataclass(frozen=True, kw_only=True)
class Isolation:
    """How submissions are isolated on this host."""

    level: str  # "namespaces", "user", "limits"
    description: str

    def wrap(self, command: list[str], *, slot: int, scratch: Path, hide: list[Path], keep: list[Path]) -> list[str]:
        """*command*, run as it must be for slot *slot*, with *scratch* its only writable folder."""
        if self.level == "limits":
            return command
        spec = json.dumps({"uid": FIRST_UID + slot, "scratch": str(scratch), "hide": [str(p) for p in hide],
                           "keep": [str(p) for p in keep], "namespaces": self.level == "namespaces"})
        enter = [sys.executable, "-m", "autograder.sandbox.enter", spec, "--", *command]
        if self.level == "namespaces":
            unshare = shutil.which("unshare") or "unshare"
            return [unshare, "--net", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--ipc", "--uts",
                    "--", *enter]
        return enter


@cache
def detect_isolation() -> Isolation:
    """The strongest isolation that works here: tried, not assumed."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return Isolation(level="limits", description=LIMITS_ONLY)
    unshare = shutil.which("unshare")
    if unshare:
        probe = subprocess.run([unshare, "--net", "--pid", "--fork", "--mount", "--mount-proc", "true"],
                               capture_output=True, timeout=20, check=False)
        if probe.returncode == 0:
            return Isolation(level="namespaces", description=NAMESPACES)
    return Isolation(level="user", description=USER_ONLY)
