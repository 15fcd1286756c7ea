"""What a submission can reach inside the sandbox: not the course, the network, the grader or the host.

Every test runs at each isolation level this host can give as root: ``bwrap`` (bubblewrap, the
default here) and ``user`` (namespaces switched off, as on a host that refuses them). What only
namespaces can hide is asserted for ``bwrap`` alone; the README says what ``user`` leaves open.
And each runs both ways the sandbox is entered: by a Python started for the run (``started``),
and forked by the slot's warm launcher (``warm``), as ``course grade`` does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.checks import Call
from autograder.runner import Limits, run_notebook
from autograder.runner.cells import CodeCell
from autograder.sandbox.launchers import Launcher
from autograder.sandbox.policy import (DESCRIPTIONS, FIRST_UID, SHARED_MEMORY, Isolation, _probe, slot_uids,
                                      staging_folder)

from .conftest import ROOT

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(not IS_ROOT, reason="the sandbox's own user needs a root grader")
LEVELS = ["bwrap", "user"] if shutil.which("bwrap") else ["user"]


@pytest.fixture(scope="module", params=LEVELS)
def isolation(request: pytest.FixtureRequest) -> Isolation:
    isolation = Isolation(level=request.param, description=DESCRIPTIONS[request.param])
    failure = _probe(isolation)
    if failure:
        pytest.skip(f"{request.param} does not start here: {failure}")
    return isolation


LAUNCHER: list[Launcher] = []  # the warm launcher of the entry being tested, if any


@pytest.fixture(scope="module", params=["started", "warm"], autouse=True)
def entry(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "warm":
        LAUNCHER.append(Launcher())
    try:
        yield request.param
    finally:
        while LAUNCHER:
            LAUNCHER.pop().close()


@pytest.fixture
def stage(isolation: Isolation) -> Iterator[Path]:
    """A submission's staging folder, where grading puts it for this isolation (shared memory, for bwrap)."""
    place = Path(tempfile.mkdtemp(prefix="who-says-so-test-", dir=staging_folder(isolation, needed=1 << 20)))
    os.chmod(place, 0o711)
    (place / "stage").mkdir(mode=0o700)
    yield place / "stage"
    shutil.rmtree(place, ignore_errors=True)


def probe(code: str, isolation: Isolation, stage: Path, *, limits: Limits | None = None) -> dict[str, Any]:
    """Run *code* (which defines probe()) in the sandbox as the grader does; what probe() returned."""
    limits = limits or Limits(wall_seconds=60, cell_seconds=30, call_seconds=30, scratch_mb=8, scratch_files=100)
    with slot_uids(1) as [uid]:
        run = run_notebook(
            ROOT / "exercises" / "01-provenance" / "provenance.ipynb",
            [Call(case_id="probe", function="probe", args=[], kwargs={})], limits,
            cells=[CodeCell(number=1, source=code, grade_id="")],
            wrap=lambda command: isolation.wrap(command, uid=uid, stage=stage, limits=limits), scratch=stage,
            launch=LAUNCHER[0].launch if LAUNCHER else None,
        )
    assert run.grader_problem == "" and run.cell_problems == [], (run.grader_problem, run.cell_problems)
    [observation] = run.observations
    assert observation.status == "returned", observation
    return {key: value for key, value in observation.value["$dict"]}


def only_bwrap(isolation: Isolation) -> None:
    if isolation.level != "bwrap":
        pytest.skip("only namespaces hide this; the README says so")


def test_the_course_and_a_second_copy_of_its_hidden_cases_cannot_be_read(isolation: Isolation, stage: Path) -> None:
    only_bwrap(isolation)
    copy = Path(tempfile.mkdtemp(prefix="who-says-so-copy-", dir="/srv" if Path("/srv").is_dir() else "/var/tmp"))
    try:
        os.chmod(copy, 0o755)
        shutil.copy(ROOT / "solutions" / "01-provenance" / "hidden-cases.yaml", copy / "hidden-cases.yaml")
        paths = [str(ROOT / "solutions" / "01-provenance" / "hidden-cases.yaml"), str(ROOT / "course.yaml"),
                 str(copy / "hidden-cases.yaml"), "/etc/shadow", "/etc/hostname", "/home", "/var", "/opt", "/mnt"]
        seen = probe(f"import os\ndef probe():\n    return {{p: os.path.exists(p) for p in {paths!r}}}\n",
                     isolation, stage)
        assert not any(seen.values()), seen
    finally:
        shutil.rmtree(copy)


def test_the_file_system_is_an_allow_list(isolation: Isolation, stage: Path) -> None:
    only_bwrap(isolation)
    seen = probe("import os\ndef probe():\n    return {'root': sorted(os.listdir('/')), 'etc': sorted(os.listdir('/etc')),"
                 " 'net': os.path.exists('/sys/class/net'), 'sys': os.path.exists('/sys')}\n", isolation, stage)
    allowed = {"usr", "bin", "lib", "lib32", "lib64", "sbin", "etc", "proc", "dev", "tmp", "scratch", "sandbox"}
    runtime = {Path(p).parts[1] for p in (os.path.realpath(os.sys.prefix), os.sys.base_prefix, os.sys.prefix)}
    assert set(seen["root"]["$seq"]) <= allowed | runtime, seen["root"]
    assert set(seen["etc"]["$seq"]) <= {"ld.so.cache", "localtime", "passwd", "group", "nsswitch.conf"}, seen["etc"]
    assert seen["net"] is False and seen["sys"] is False


def test_no_new_user_or_mount_namespaces(isolation: Isolation, stage: Path) -> None:
    only_bwrap(isolation)
    seen = probe("import ctypes, os\ndef probe():\n    libc = ctypes.CDLL(None, use_errno=True)\n"
                 "    return {'user': libc.unshare(0x10000000), 'mount': libc.unshare(0x00020000),"
                 " 'uid': os.getuid()}\n", isolation, stage)
    assert seen["user"] == -1 and seen["mount"] == -1
    assert seen["uid"] >= FIRST_UID


def test_there_is_no_network(isolation: Isolation, stage: Path) -> None:
    only_bwrap(isolation)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        seen = probe("import socket\ndef probe():\n    try:\n"
                     f"        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                     "        return {'connected': True}\n    except OSError:\n        return {'connected': False}\n",
                     isolation, stage)
    assert seen == {"connected": False}


def test_the_scratch_folder_is_limited_in_size_and_file_count(isolation: Isolation, stage: Path) -> None:
    only_bwrap(isolation)
    seen = probe("import os\ndef probe():\n    mib = files = 0\n    try:\n"
                 "        with open('big', 'wb') as out:\n            for _ in range(64):\n"
                 "                out.write(b'x' * 1024 * 1024)\n                mib += 1\n    except OSError:\n        pass\n"
                 "    os.remove('big')\n    try:\n        for files in range(1, 1000):\n"
                 "            open(f'f{files}', 'w').close()\n    except OSError:\n        pass\n"
                 "    return {'mib': mib, 'files': files}\n", isolation, stage)
    assert seen["mib"] <= 8 and seen["files"] <= 100, seen  # the loop stops at the first file refused


def test_nothing_can_be_written_outside_the_scratch_folder(isolation: Isolation, stage: Path) -> None:
    target = tempfile.mktemp(prefix="who-says-so-escape-", dir="/tmp")
    seen = probe("def probe():\n    results = {}\n"
                 f"    for path in [{str(ROOT / 'escape.txt')!r}, '/usr/escape.txt', '/etc/escape.txt']:\n"
                 "        try:\n            open(path, 'w').write('x')\n            results[path] = True\n"
                 "        except OSError:\n            results[path] = False\n"
                 "    open('mine.txt', 'w').write('scratch is writable')\n"
                 "    results['scratch'] = open('mine.txt').read()\n"
                 f"    try:\n        open({target!r}, 'w').write('private tmp')\n    except OSError:\n        pass\n"
                 "    return results\n", isolation, stage)
    assert seen.pop("scratch") == "scratch is writable"
    if isolation.level == "bwrap" and ROOT.is_relative_to("/tmp"):
        # A checkout under /tmp: its path inside the sandbox lies in the sandbox's own, limited /tmp,
        # so a write there may succeed, but it never reaches the host (checked below).
        seen.pop(str(ROOT / "escape.txt"))
    assert not any(seen.values()), seen
    assert not (ROOT / "escape.txt").exists()
    if isolation.level == "bwrap":
        assert not Path(target).exists(), "the sandbox's /tmp is its own"
    elif Path(target).exists():
        os.remove(target)


def test_the_grader_cannot_be_signalled(isolation: Isolation, stage: Path) -> None:
    seen = probe("import os, signal\ndef probe():\n    try:\n"
                 f"        os.kill({os.getpid()}, signal.SIGTERM)\n        return {{'sent': True}}\n"
                 "    except OSError as error:\n        return {'sent': False}\n", isolation, stage)
    assert seen == {"sent": False}


def test_a_warm_launchers_runs_share_nothing_and_hold_nothing_of_the_grader(isolation: Isolation, stage: Path,
                                                                              entry: str) -> None:
    """Each run forked by one launcher is a sandbox of its own (its own mount and process namespaces at
    ``bwrap``), with no descriptor but its output and the channel's two pipes: not the launcher's socket.

    The runs are one after the other, and the kernel may give a new namespace the number of one that has
    ended, so the runs' namespace numbers are compared with the grader's own, and what the first run
    leaves in its /tmp is looked for by the second."""
    code = ("import os\ndef link(n):\n    try:\n        return os.readlink(f'/proc/self/fd/{n}')\n"
            "    except OSError:\n        return None\n"  # the descriptor that listed the folder, closed since
            "def probe():\n    fds = sorted(int(n) for n in os.listdir('/proc/self/fd'))\n"
            "    return {'fds': [link(n) for n in fds if n > 2 and link(n)],"
            " 'ns': [os.readlink(f'/proc/self/ns/{k}') for k in ('mnt', 'pid', 'net', 'ipc', 'user')],"
            " 'uid': os.getuid(), 'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),"
            " 'left': os.path.exists('/tmp/left-by-a-run') or open('/tmp/left-by-a-run', 'w').close() or False}\n")
    try:
        first, second = probe(code, isolation, stage), probe(code, isolation, stage)
    finally:
        Path("/tmp/left-by-a-run").unlink(missing_ok=True)  # the host's own /tmp, where a run has no namespaces
    for seen in (first, second):
        assert seen["uid"] >= FIRST_UID
        held = seen["fds"]["$seq"]
        assert len(held) == 2 and all(link.startswith("pipe:") for link in held), held  # the channel only
    if isolation.level == "bwrap":
        own = {os.readlink(f"/proc/self/ns/{kind}") for kind in ("mnt", "pid", "net", "ipc", "user")}
        for seen in (first, second):
            assert len(set(seen["ns"]["$seq"])) == 5 and not set(seen["ns"]["$seq"]) & own, "namespaces of its own"
        assert first["left"] is False and second["left"] is False, "the second run sees nothing the first left"
        assert os.getpid() not in first["pids"]["$seq"]
        if LAUNCHER:
            assert LAUNCHER[0].process.pid not in first["pids"]["$seq"]


def test_the_launcher_cannot_be_signalled(isolation: Isolation, stage: Path, entry: str) -> None:
    if not LAUNCHER:
        pytest.skip("no launcher in this way of entering the sandbox")
    pid = LAUNCHER[0].process.pid
    seen = probe("import os, signal\ndef probe():\n    try:\n"
                 f"        os.kill({pid}, signal.SIGKILL)\n        return {{'sent': True}}\n"
                 "    except OSError as error:\n        return {'sent': False}\n", isolation, stage)
    assert seen == {"sent": False} and LAUNCHER[0].process.poll() is None


def test_no_process_is_left_behind(isolation: Isolation, stage: Path) -> None:
    marker = f"who-says-so-leftover-{os.getpid()}-{isolation.level}"
    probe("import subprocess\ndef probe():\n"
          f"    subprocess.Popen(['sh', '-c', 'exec -a {marker} sleep 300'], start_new_session=True)\n"
          "    return {'started': True}\n", isolation, stage)
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == []


def test_the_number_of_processes_is_limited(isolation: Isolation, stage: Path) -> None:
    seen = probe("import subprocess\ndef probe():\n    started = []\n    try:\n        for _ in range(60):\n"
                 "            started.append(subprocess.Popen(['sleep', '5']))\n    except OSError:\n        pass\n"
                 "    for process in started:\n        process.kill()\n    return {'started': len(started)}\n",
                 isolation, stage, limits=Limits(wall_seconds=60, cell_seconds=30, call_seconds=30, processes=8))
    assert seen["started"] < 8


def test_submitted_files_named_like_modules_do_not_replace_the_graders(isolation: Isolation, stage: Path) -> None:
    """The sandbox's entry (as root) and the worker start in the folder of the submission's files; a submitted
    json.py or ctypes.py must not run in place of the standard library's module."""
    marks = Path(tempfile.mkdtemp(prefix="who-says-so-marks-"))
    try:
        os.chmod(marks, 0o777)
        names = ["json", "ctypes", "struct", "resource", "signal", "linecache", "tokenize", "contextlib", "typing",
                 "dataclasses", "re", "enum", "functools", "site", "warnings", "shutil", "codecs", "encodings"]
        for name in names:
            (stage / f"{name}.py").write_text(
                "import os\ntry:\n    open(os.path.join(%r, __name__), 'w').close()\nexcept OSError:\n    pass\n"
                "raise SystemExit('the submitted ' + __name__ + '.py was run by the grader')\n" % str(marks))
        seen = probe("def probe():\n    return {'ok': True}\n", isolation, stage)
        assert seen == {"ok": True}
        assert sorted(os.listdir(marks)) == []
    finally:
        shutil.rmtree(marks, ignore_errors=True)


def test_the_probe_uses_the_real_wrapper(isolation: Isolation) -> None:
    """detect_isolation's probe is a run through Isolation.wrap, the same command line as every submission's."""
    assert _probe(isolation) == ""
    broken = Isolation(level=isolation.level, description="")
    if isolation.level == "bwrap":
        import autograder.sandbox.policy as policy

        saved, policy.BWRAP = policy.BWRAP, "/nonexistent/bwrap"
        try:
            assert "could not start /nonexistent/bwrap" in _probe(broken)
        finally:
            policy.BWRAP = saved


def test_a_runtime_under_the_hosts_tmp_is_bound_after_the_private_tmp(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout (and its environment) under /tmp stays visible: bubblewrap mounts in order, so the
    private /tmp must come before the runtime's binds, or it covers them and Python cannot start."""
    from autograder.runner.launch import Limits
    from autograder.sandbox import policy

    monkeypatch.setattr(policy, "_runtime", lambda: ["/tmp/a-checkout/.venv"])
    argv = policy.bwrap_argv(["python"], limits=Limits(), work=None, stage="/tmp/stage")
    private_tmp = next(i for i in range(len(argv) - 1) if argv[i] == "--tmpfs" and argv[i + 1] == "/tmp")
    runtime = next(i for i in range(len(argv) - 2) if argv[i] == "--ro-bind" and argv[i + 2] == "/tmp/a-checkout/.venv")
    assert private_tmp < runtime, argv


def test_a_launcher_that_was_killed_is_started_again(isolation: Isolation, stage: Path, entry: str) -> None:
    if not LAUNCHER:
        pytest.skip("no launcher in this way of entering the sandbox")
    launcher = LAUNCHER[0]
    killed = launcher.process.pid
    launcher.process.kill()
    launcher.process.wait()
    assert probe("def probe():\n    return {'ran': True}\n", isolation, stage) == {"ran": True}
    assert launcher.process.pid != killed and launcher.process.poll() is None


AFFINITY = ("import os\ndef probe():\n"
            "    return {'processors': ' '.join(str(n) for n in sorted(os.sched_getaffinity(0)))}\n")


def processors(isolation: Isolation, stage: Path) -> list[int]:
    return [int(n) for n in probe(AFFINITY, isolation, stage)["processors"].split()]


def test_a_slots_sandboxes_run_on_the_slots_processor(isolation: Isolation, stage: Path, entry: str) -> None:
    from autograder.sandbox.processors import pin, slot_processors

    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        pytest.skip("one processor here: nothing is pinned")
    slots = [FIRST_UID + index for index in range(len(allowed) + 1)]
    assert list(slot_processors(slots).values()) == [*allowed, allowed[0]], "the slots in turn over the processors"
    assert slot_processors([FIRST_UID + 1]) == {FIRST_UID + 1: allowed[1]}, (
        "a run whose slot user is the second (another run holds the first) starts on the second processor")
    last = allowed[-1]
    if entry == "warm":  # the launcher is kept on the slot's processor, and so is every sandbox it forks
        LAUNCHER[0].close()
        LAUNCHER[0] = Launcher(last)
        try:
            assert processors(isolation, stage) == [last]
        finally:
            LAUNCHER[0].close()
            LAUNCHER[0] = Launcher()  # the other tests' launcher, kept nowhere
        return
    here = os.sched_getaffinity(0)
    pin(0, last)  # the slot's thread: a sandbox it starts runs where it does
    try:
        assert processors(isolation, stage) == [last]
    finally:
        os.sched_setaffinity(0, here)
    assert processors(isolation, stage) == allowed, "where nothing is pinned, the sandbox may run anywhere"


def _shared_memory_room() -> int:
    """The free bytes of the host's shared memory file system, 0 where it is not a memory file system."""
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        if not any(line.split()[1:3] == [SHARED_MEMORY, "tmpfs"] for line in mounts):
            return 0
    space = os.statvfs(SHARED_MEMORY)
    return space.f_bavail * space.f_frsize


@pytest.mark.parametrize("level", ["bwrap", "bwrap-unprivileged", "user", "limits"])
def test_files_are_staged_in_shared_memory_only_where_the_sandbox_just_reads_them(
        level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    room = _shared_memory_room()
    if room < 1 << 20:
        pytest.skip("this host has no shared memory file system with room")
    chosen = staging_folder(Isolation(level=level, description=""), needed=1 << 20)
    assert chosen == (SHARED_MEMORY if level in ("bwrap", "bwrap-unprivileged") else None)


def test_files_are_staged_in_the_temporary_folder_without_room_or_where_tmpdir_says(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bwrap = Isolation(level="bwrap", description="")
    monkeypatch.delenv("TMPDIR", raising=False)
    room = _shared_memory_room()
    if room < 1 << 20:
        pytest.skip("this host has no shared memory file system with room")
    assert staging_folder(bwrap, needed=1 << 20) == SHARED_MEMORY
    assert staging_folder(bwrap, needed=room + (1 << 40)) is None
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert staging_folder(bwrap, needed=1) is None
