"""Which isolation this host allows, and how to wrap a worker's command in it.

The levels, strongest first (each results file records the one that held):

- ``bwrap``: as root, with bubblewrap: a private mount, process, network, IPC and user
  namespace that sees only the Python runtime and the course package (read-only), the
  scratch folder on its own size- and file-count-limited memory file system, a private
  /tmp, no /sys; no network; the slot's own unprivileged user, which may create no
  further user (so no mount) namespaces;
- ``bwrap-unprivileged``: the same, for an instructor who is not root (the instructor's
  own user inside, and the scratch folder limited in size but not in file count);
- ``user``: as root where namespaces are refused (or switched off with
  ``WHO_SAYS_SO_NAMESPACES=0``): the slot's unprivileged user and the limits only;
- ``limits``: resource limits only (not root, and no bubblewrap).

The probe runs the real wrapper (the same flags) on a throw-away folder.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..runner.launch import FAST_START, Limits, Wrapped, child_env, run_module

__all__ = ["FIRST_UID", "Isolation", "SWITCH", "detect_isolation", "slot_uids", "staging_folder"]

FIRST_UID = 61000
"""Submissions run as users from FIRST_UID on (one per parallel worker, never shared by two runs)."""

SWITCH = "WHO_SAYS_SO_NAMESPACES"
"""Set to 0 to grade without namespaces (as a host that refuses them would)."""

BWRAP = "/usr/bin/bwrap"
SCRATCH = "/scratch"
LIBRARY = "/sandbox/lib"

ENTERED = ("bwrap", "user")
"""The levels whose sandbox is entered as root through :mod:`.enter` (which a warm launcher can do)."""

DESCRIPTIONS = {
    "bwrap": "bubblewrap sandbox (only Python and the course package, read-only; scratch folder on a limited "
             "memory file system; no network; own process tree; no new namespaces) + unprivileged user",
    "bwrap-unprivileged": "bubblewrap sandbox as the instructor's own user (only Python and the course package, "
                          "read-only; scratch folder limited in size; no network; own process tree; no new "
                          "namespaces)",
    "user": "unprivileged user and resource limits only (no namespaces on this host)",
    "limits": "resource limits only (not run as root and no bubblewrap, so no user switch or namespaces)",
}


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@cache
def _runtime() -> tuple[str, ...]:
    """The folders Python needs, outside /usr (which is bound whole): the environment and its base (found once:
    every sandbox of a run binds the same folders)."""
    places = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
              Path(sys.executable).parent.resolve()}
    return tuple(sorted(str(p) for p in places if p.is_dir() and not str(p).startswith("/usr")))


@cache
def _package() -> str:
    """The course package's folder, bound read-only into every sandbox."""
    return str(Path(__file__).resolve().parents[1])


def bwrap_argv(command: list[str], *, limits: Limits, work: str | None, stage: str | None,
               held: dict[str, str] | None = None) -> list[str]:
    """bubblewrap's command line: *work* (a folder already limited, as root) or a new limited memory file system
    filled from *stage* is the scratch folder; *held* maps a folder to bind to the place it can be reached from
    (as root, the runtime may lie in a folder that the sandbox's user cannot enter, such as /root)."""
    package = _package()
    held = held or {}
    argv = [BWRAP, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--clearenv", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"):
        argv += ["--ro-bind-try", etc, etc]
    # The private /tmp first: the runtime may live under the host's /tmp (a checkout there, with its
    # environment), and a later mount would cover it.
    argv += ["--size", str(limits.scratch_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    for place in _runtime():
        argv += ["--ro-bind", held.get(place, place), place]
    argv += ["--ro-bind", held.get(package, package), f"{LIBRARY}/autograder", "--proc", "/proc", "--dev", "/dev"]
    if work is not None:
        argv += ["--bind", work, SCRATCH]
    else:
        argv += ["--size", str(limits.scratch_mb * 1024 * 1024), "--perms", "0700", "--tmpfs", SCRATCH]
        argv += ["--ro-bind", str(stage), "/stage"]
    env = {"HOME": SCRATCH, "PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": LIBRARY, "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    for name, value in env.items():
        argv += ["--setenv", name, value]
    # The sandbox's own root (where bubblewrap made /etc, /sandbox, ...) is read-only: only /scratch and /tmp,
    # both limited, can be written.
    return [*argv, "--remount-ro", "/", "--chdir", SCRATCH, "--", *command]


@dataclass(frozen=True, kw_only=True)
class Isolation:
    """How submissions are isolated on this host."""

    level: str  # "bwrap", "bwrap-unprivileged", "user", "limits"
    description: str

    def wrap(self, command: list[str], *, uid: int, stage: Path, limits: Limits) -> Wrapped:
        """*command*, run as it must be as user *uid*, with a copy of the plain files in *stage* as its folder."""
        if self.level == "limits":
            return Wrapped(argv=command, folder=str(stage))
        if self.level == "bwrap-unprivileged":
            return Wrapped(argv=bwrap_argv(command, limits=limits, work=None, stage=str(stage)), folder=SCRATCH,
                           copy_from="/stage", signal_status=True)
        spec: dict[str, object] = {"uid": uid, "stage": str(stage)}
        if self.level == "bwrap":
            work = stage.parent / f"{stage.name}-work"
            work.mkdir(mode=0o700, exist_ok=True)
            hold = stage.parent / f"{stage.name}-held"
            hold.mkdir(mode=0o711, exist_ok=True)
            places = [*_runtime(), _package()]
            held = {place: str(hold / str(index)) for index, place in enumerate(places)}
            spec.update(work=str(work), size=limits.scratch_mb * 1024 * 1024, files=limits.scratch_files,
                        hold=str(hold), held=held)
            command = bwrap_argv(command, limits=limits, work=str(work), stage=None, held=held)
        enter = [sys.executable, *FAST_START, "-c", run_module("autograder.sandbox.enter"), json.dumps(spec), "--",
                 *command]
        return Wrapped(argv=enter, folder=SCRATCH if self.level == "bwrap" else str(stage),
                       signal_status=self.level == "bwrap", uid=uid if self.level == "user" else None,
                       entry={"spec": spec, "command": command})


SHARED_MEMORY = "/dev/shm"
STAGED_ONLY_READ = ("bwrap", "bwrap-unprivileged")
"""The levels whose sandbox only reads the staged files (it copies them into its own scratch file system)."""


def staging_folder(isolation: Isolation, *, needed: int) -> str | None:
    """The folder to stage submissions' files in for their sandboxes: the host's shared memory file system
    (/dev/shm), where the sandbox only reads what is staged and that file system has room for *needed*
    bytes; else None, the temporary folder (as also where TMPDIR names one).

    Each submission's staging makes and removes a few folders and files. On a disk file system
    such as ext4, each new one costs more the more were removed in the last seconds (ext4 looks
    past every recently removed file for a free one): in a 100-submission run, making files took
    4% of the machine's processor time, half of it for staging. A memory file system has no such cost.
    Where the learner's code runs in the staged folder itself (the ``user`` and ``limits``
    levels), it stays on disk: there, what the code writes would take the host's memory."""
    if isolation.level not in STAGED_ONLY_READ or os.environ.get("TMPDIR"):
        return None
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            kind = {fields[1]: fields[2] for fields in (line.split() for line in mounts) if len(fields) > 2}
        space = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    if kind.get(SHARED_MEMORY) != "tmpfs" or not os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        return None
    return SHARED_MEMORY if space.f_bavail * space.f_frsize >= needed else None


@cache
def detect_isolation() -> Isolation:
    """The strongest isolation that works here: tried with the real wrapper, not assumed."""
    wanted = ["bwrap"] if _is_root() else ["bwrap-unprivileged"]
    if os.environ.get(SWITCH, "1").strip().lower() in {"0", "no", "off", "false"} or not os.path.exists(BWRAP):
        wanted = []
    failure = ""
    for level in wanted:
        isolation = Isolation(level=level, description=DESCRIPTIONS[level])
        failure = _probe(isolation)
        if not failure:
            return isolation
    note = f"; bubblewrap could not start here: {failure}" if failure else ""
    if _is_root():
        user = Isolation(level="user", description=DESCRIPTIONS["user"] + note)
        refused = _probe(user)
        if not refused:
            return user
        note += f"; the sandbox's user cannot run Python here: {refused}"
    return Isolation(level="limits", description=DESCRIPTIONS["limits"] + note)


def _probe(isolation: Isolation) -> str:
    """"" if a worker-like command runs under *isolation* here, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="who-says-so-probe-") as temp, slot_uids(1) as [uid]:
        os.chmod(temp, 0o711)
        stage = Path(temp) / "stage"
        stage.mkdir(mode=0o700)
        command = [sys.executable, "-c", "import autograder.records, os; print('ready', os.getcwd())"]
        wrapped = isolation.wrap(command, uid=uid, stage=stage, limits=Limits())
        try:
            # The environment of a real run, so that the probe finds the package as a real run does.
            result = subprocess.run(wrapped.argv, capture_output=True, text=True, timeout=60, check=False,
                                    cwd=temp, stdin=subprocess.DEVNULL, env=child_env())
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
        if result.returncode != 0 or "ready" not in result.stdout:
            return (result.stderr or result.stdout).strip()[-300:] or f"exit status {result.returncode}"
    return ""


@contextmanager
def slot_uids(count: int) -> Iterator[list[int]]:
    """*count* user ids for sandboxes that no other grading run on this host is using now (held by lock files)."""
    folder = Path("/run/lock/who-says-so" if _is_root() and Path("/run/lock").is_dir() else
                  Path(tempfile.gettempdir()) / f"who-says-so-uids-{os.getuid() if hasattr(os, 'getuid') else 0}")
    folder.mkdir(parents=True, exist_ok=True)
    held: list[tuple[int, int]] = []
    try:
        uid = FIRST_UID
        while len(held) < count and uid < FIRST_UID + 4000:
            handle = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(handle)
            else:
                held.append((uid, handle))
            uid += 1
        if len(held) < count:
            raise RuntimeError("no free sandbox user ids: too many grading runs at once on this host")
        yield [uid for uid, _ in held]
    finally:
        for _, handle in held:
            os.close(handle)


def which_bwrap() -> str | None:
    """Where bubblewrap is, if installed."""
    return shutil.which("bwrap")
