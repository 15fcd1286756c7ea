#!/usr/bin/env python3
"""Set up the course in ./.venv, then open it in JupyterLab or run its tests.

    python3 bootstrap.py lab     # set up, then open the course in JupyterLab
    python3 bootstrap.py test    # set up, then run the whole test suite
    python3 bootstrap.py setup   # set up only

Needs Python 3.11 or newer; uses only the standard library, so it runs before
anything is installed. Set-up is skipped when nothing it depends on changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".who-says-so-installed"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print(f"Who Says So? needs Python 3.11 or newer; this is {sys.version.split()[0]}.", file=sys.stderr)
        return 2
    command = argv[0] if argv else "lab"
    if command not in {"lab", "test", "setup"}:
        print(__doc__, file=sys.stderr)
        return 2
    python = set_up()
    os.chdir(ROOT)
    if command == "setup":
        print(f"Ready. The course's Python is {python}; the `course` command is in {python.parent}.")
        return 0
    if command == "lab":
        return open_lab(python, argv[1:])
    return run_tests(python, argv[1:])


def set_up() -> Path:
    """Create .venv and install the course into it, unless that is already done."""
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"Creating a virtual environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing the course and what it needs (a few minutes the first time) …", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(wanted)
    return python


def open_lab(python: Path, extra: list[str]) -> int:
    args = [str(python), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # containers and CI machines often run as root
    if not has_display():
        args.append("--no-browser")
        print("No display here: open the URL that JupyterLab prints below in a browser.", flush=True)
    return subprocess.call(args)


def run_tests(python: Path, extra: list[str]) -> int:
    install_chromium()
    return subprocess.call([str(python), "-m", "pytest", *extra])


def has_display() -> bool:
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def install_chromium() -> None:
    """The browser tests drive Debian's Chromium, and the grader's sandbox is bubblewrap: install both
    where we are root on Debian.

    Elsewhere the browser tests are skipped, and pytest's summary says why; without bubblewrap
    ``course grade`` falls back to a weaker isolation and says so in every results file.
    """
    if (shutil.which("chromium") or shutil.which("chromium-browser")) and shutil.which("bwrap"):
        return
    if os.name == "nt" or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("Chromium is not installed, so the browser tests will be skipped "
              "(on Debian or Ubuntu: sudo apt-get install chromium).", flush=True)
        return
    print("Installing Chromium (for the browser tests) and bubblewrap (the grader's sandbox) …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "bubblewrap"], env=env, check=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
