"""A warm launcher for one grading slot: it forks each run's sandbox entry instead of starting a Python for it.

``python -c "…main()" FD`` (this module's main) serves one slot of one ``course grade`` run,
as root, over the socket FD (one end of a socket pair the grader made; nothing else can
reach it). For each run the grader sends the entry's spec and command, the worker's
environment and folder, and the descriptors the worker gets (its standard output and
the channel's two pipes). The launcher forks; the child starts a session of its own,
puts those descriptors where the worker's command names them, closes everything else
(the socket too) and does what :mod:`.enter` does: a fresh mount namespace and scratch
file system, the slot's own user, no new privileges, then bubblewrap. So each run still
gets its own namespaces, user, limits and scratch folder; only the Python start and the
imports of the entry are paid once per slot instead of once per submission.

The launcher answers with the child's process id, then, when the child has exited, its
exit status and processor time. It ends when the grader closes the socket, and is
killed with the grader.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from .enter import libc, enter

TYPE_CHECKING = False  # typing is not imported when this runs; mypy reads it
if TYPE_CHECKING:
    from typing import Any, NoReturn

PR_SET_PDEATHSIG = 1
SIGKILL = 9
HIGH_FD = 512  # received descriptors are parked above the worker's numbers before they are put in place
MESSAGE_LIMIT = 1 << 22


def main() -> int:
    libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)  # ends with the grader
    channel = socket.socket(fileno=int(sys.argv[1]))
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, MESSAGE_LIMIT, 8)
        except OSError:
            return 0
        if not message:
            return 0  # the grader has closed its end
        request = json.loads(message)
        try:
            pid = os.fork()
        except OSError as error:
            for fd in fds:
                os.close(fd)
            channel.send(json.dumps({"error": f"the launcher could not fork: {error.strerror}"}).encode())
            continue
        if pid == 0:
            _child(request, fds)
        for fd in fds:
            os.close(fd)
        channel.send(json.dumps({"pid": pid}).encode())
        _, status, usage = os.wait4(pid, 0)
        channel.send(json.dumps({"pid": pid, "status": status, "cpu": usage.ru_utime + usage.ru_stime}).encode())


def _child(request: dict[str, Any], fds: list[int]) -> NoReturn:
    """In the forked child: the worker's descriptors in place, nothing else open, then the sandbox's entry."""
    try:
        os.setsid()
        targets = [int(n) for n in request["fds"]]  # where the channel's pipes go (the output goes to 1 and 2)
        parked = [os.dup2(fd, HIGH_FD + index) for index, fd in enumerate(fds)]
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(parked[0], 1)
        os.dup2(parked[0], 2)
        for fd, target in zip(parked[1:], targets):
            os.dup2(fd, target)  # inheritable: the worker's command names them
        start = 3
        for fd in [*sorted(set(targets) - {0, 1, 2}), 1 << 16]:  # all but those, the socket too
            os.closerange(start, fd)
            start = fd + 1
        os.chdir(request["cwd"])
        enter(request["spec"], request["command"], request["env"])
    except BaseException as error:  # what went wrong goes to the worker's output, which the grader reads
        os.write(2, f"the sandbox could not be entered: {error}\n".encode("utf-8", "replace"))
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
