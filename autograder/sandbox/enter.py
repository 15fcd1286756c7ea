"""Enter the sandbox as root: ``python -m autograder.sandbox.enter SPEC -- COMMAND…`` (the grader starts it as
``python -c`` code, see :meth:`.policy.Isolation.wrap`).

For the ``bwrap`` level (see :mod:`.policy`) it makes a private mount namespace, mounts
a memory file system limited in size and file count on the scratch folder (``work``),
copies the staged plain files into it, gives them to the slot's user, drops to that
user for good and runs COMMAND (bubblewrap, which binds the folder as /scratch). For the
``user`` level it gives the staged folder to the slot's user and drops to it. Either way
the process may never gain privileges again (no setuid programs).
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

from ..runner.jsonlines import loads  # the json package's parts, without its slow import

TYPE_CHECKING = False  # typing is not imported when this runs (it is slow to import); mypy reads it
if TYPE_CHECKING:
    from typing import Any, NoReturn

MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000
PR_SET_NO_NEW_PRIVS = 38

# The C library is already loaded into this process: its symbols, without ctypes.util.find_library (which
# starts ldconfig and a compiler, and costs more than the rest of the sandbox's start together).
libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    _check(libc.mount(source.encode() if source else None, target.encode(), kind.encode() if kind else None,
                       flags, data.encode() if data else None), f"mount {target}")


def _copy(source: str, target: str) -> None:
    """Copy a plain file (shutil is not imported: it is slow to import, and this runs once per submission)."""
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while chunk := reading.read(1 << 20):
            writing.write(chunk)


def _give(folder: str, uid: int) -> None:
    for name in [".", *os.listdir(folder)]:
        os.chown(os.path.join(folder, name), uid, uid)
    os.chmod(folder, 0o700)


def main() -> int:
    enter(loads(sys.argv[1]), sys.argv[sys.argv.index("--") + 1 :])
    return 1  # not reached


def enter(spec: dict[str, Any], command: list[str], env: dict[str, str] | None = None) -> NoReturn:
    """Make the sandbox that *spec* describes, drop to its user for good and run *command* (with *env*, or this
    process's environment); never returns."""
    uid = int(spec["uid"])
    if spec.get("work"):
        work = spec["work"]
        _check(libc.unshare(CLONE_NEWNS), "unshare the mount namespace")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        # The runtime and the package, reachable for the slot's user even where they lie under /root.
        _mount("tmpfs", spec["hold"], "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=711")
        for source, place in spec["held"].items():
            os.mkdir(place, 0o755)
            _mount(source, place, None, MS_BIND | MS_REC)
        _mount("tmpfs", work, "tmpfs", MS_NOSUID | MS_NODEV,
               f"size={int(spec['size'])},nr_inodes={int(spec['files'])},mode=700")
        for name in os.listdir(spec["stage"]):
            _copy(os.path.join(spec["stage"], name), os.path.join(work, name))
        _give(work, uid)
    else:
        _give(spec["stage"], uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("the sandbox could not drop root")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "forbid new privileges")
    env = dict(os.environ if env is None else env)
    if not spec.get("work"):
        env["HOME"] = spec["stage"]
        os.chdir(spec["stage"])
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    try:
        os.execve(command[0], command, env)
    except OSError as error:
        raise SystemExit(f"the sandbox could not start {command[0]}: {error.strerror}") from None


if __name__ == "__main__":
    sys.exit(main())
