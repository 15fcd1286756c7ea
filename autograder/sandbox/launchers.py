"""The grader's side of the warm launchers (:mod:`.launcher`): one per grading slot, started once per exercise."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..runner.launch import FAST_START, Launch, Wrapped, child_env, run_module
from .processors import pin

__all__ = ["Launcher", "launchers"]


class Launcher:
    """A launcher process for one slot, and the socket to it (a pair made here: no path leads to it); kept on
    *processor*, with every sandbox it starts, where one is given (see :mod:`.processors`)."""

    def __init__(self, processor: int | None = None) -> None:
        self.processor = processor
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.channel = ours
        # Started in a folder of its own (the runtime's), never a submission's: -P keeps that folder off the path.
        self.process = subprocess.Popen(
            [sys.executable, *FAST_START, "-c", run_module("autograder.sandbox.launcher"), str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=child_env(), cwd=Path(sys.prefix))
        pin(self.process.pid, self.processor)  # before its first request, so every sandbox it forks is kept there
        theirs.close()

    def launch(self, wrapped: Wrapped, env: dict[str, str], cwd: Path, output: int, fds: tuple[int, ...]) -> _Launched:
        """Start *wrapped* through the launcher: its entry forked there, with these descriptors in place."""
        assert wrapped.entry is not None
        if self.process.poll() is not None:  # it was ended (by someone else: it never ends on its own): a new one
            self.channel.close()
            self._start()
        request = {"spec": wrapped.entry["spec"], "command": wrapped.entry["command"], "env": env, "cwd": str(cwd),
                   "fds": list(fds)}
        self.channel.setblocking(True)
        socket.send_fds(self.channel, [json.dumps(request).encode("utf-8")], [output, *fds])
        answer = self._answer(block=True)
        pid = answer.get("pid")
        if not isinstance(pid, int):
            raise OSError(str(answer.get("error") or "the launcher did not start the sandbox"))
        return _Launched(self, pid)

    def _answer(self, block: bool) -> dict[str, object]:
        self.channel.setblocking(block)
        message = self.channel.recv(1 << 16)
        if not message:
            raise OSError("the launcher has stopped")
        answer = json.loads(message)
        if not isinstance(answer, dict):
            raise OSError("the launcher's answer is not one it sends")
        return answer

    def close(self) -> None:
        self.channel.close()  # the launcher ends when its socket closes
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Launched:
    """A worker started by a launcher: its exit comes as the launcher's second answer."""

    def __init__(self, launcher: Launcher, pid: int) -> None:
        self.launcher, self.pid = launcher, pid

    def reap(self, block: bool) -> tuple[int, float] | None:
        try:
            answer = self.launcher._answer(block)
        except BlockingIOError:
            return None
        status, cpu = answer.get("status"), answer.get("cpu")
        if answer.get("pid") != self.pid or not isinstance(status, int) or not isinstance(cpu, (int, float)):
            raise OSError("the launcher's answer is not about this run")
        return status, float(cpu)


@contextmanager
def launchers(uids: list[int], wanted: bool,
              processors: dict[int, int | None] | None = None) -> Iterator[dict[int, Launch]]:
    """A warm launcher for each slot's user id (as root, where the isolation enters its sandbox through
    :mod:`.enter`), each kept on its slot's processor in *processors*; none when *wanted* is false."""
    started: dict[int, Launcher] = {}
    try:
        if wanted and os.geteuid() == 0:
            for uid in uids:
                started[uid] = Launcher((processors or {}).get(uid))
        yield {uid: launcher.launch for uid, launcher in started.items()}
    finally:
        for launcher in started.values():
            launcher.close()
