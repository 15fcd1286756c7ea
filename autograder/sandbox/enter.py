"""Enter the sandbox: ``python -m autograder.sandbox.enter SPEC -- COMMAND…`` (run as root).

Inside new namespaces (see :mod:`.policy`) it first makes every mount private,
covers the folders in ``hide`` (the course folder: solutions, hidden cases,
gradebook, other submissions) and /tmp, /dev/shm, /root and /home with empty
memory file systems, puts back read-only the folders in ``keep`` (Python and
the course's package) and the scratch folder read-write; then it drops to the
unprivileged user ``uid`` for good and runs COMMAND. Without namespaces it only
drops to that user.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    result = _libc.mount(
        source.encode() if source else None, target.encode(), kind.encode() if kind else None, flags,
        data.encode() if data else None,
    )
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {target}: {os.strerror(error)}")


def _hide_and_keep(spec: dict) -> None:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    keep = [path for path in spec["keep"] if os.path.exists(path)]
    scratch = spec["scratch"]
    # Keep copies reachable before their parents are covered: bind them to a private staging place.
    staging = "/mnt"  # covered by a private file system: nothing here touches the host's /mnt
    _mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700")
    held = []
    for index, path in enumerate([*keep, scratch]):
        place = os.path.join(staging, str(index))
        os.mkdir(place)
        _mount(path, place, None, MS_BIND | MS_REC)
        held.append((place, path))
    for path in [*spec["hide"], "/tmp", "/var/tmp", "/dev/shm", "/root", "/home"]:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=755")
    for place, path in held:
        os.makedirs(path, exist_ok=True)
        _mount(place, path, None, MS_BIND | MS_REC)
        if path != scratch:
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
    os.chmod("/tmp", 0o1777)


def main() -> int:
    spec = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1 :]
    if spec["namespaces"]:
        _hide_and_keep(spec)
    uid = int(spec["uid"])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("the sandbox could not drop root")
    os.environ["HOME"] = spec["scratch"]
    os.chdir(spec["scratch"])
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    if command[1:] == ["-m", "autograder.runner.worker"]:
        import runpy  # the worker itself: run it here rather than start Python a second time

        sys.argv = [command[0]]
        runpy.run_module("autograder.runner.worker", run_name="__main__", alter_sys=True)
        return 0
    os.execv(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
