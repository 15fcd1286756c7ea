"""What a submission can reach inside the sandbox: not the course, the network, the grader or the host."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from autograder.checks import Call
from autograder.grading.grade import _keep
from autograder.runner import Limits, run_notebook
from autograder.runner.cells import CodeCell
from autograder.sandbox import detect_isolation
from autograder.sandbox.policy import FIRST_UID

from .conftest import ROOT

ISOLATION = detect_isolation()
pytestmark = pytest.mark.skipif(
    ISOLATION.level != "namespaces",
    reason=f"this host allows only: {ISOLATION.description}; the sandbox tests need root and Linux namespaces",
)


def probe(code: str, tmp_path: Path, *, limits: Limits | None = None) -> dict:
    """Run *code* (which defines probe()) in the sandbox as the grader does; what probe() returned."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    os.chown(scratch, FIRST_UID, FIRST_UID)
    os.chmod(tmp_path, 0o711)
    run = run_notebook(
        ROOT / "exercises" / "01-provenance" / "provenance.ipynb",
        [Call(case_id="probe", function="probe", args=[], kwargs={})],
        limits or Limits(wall_seconds=30, cell_seconds=20, call_seconds=20),
        cells=[CodeCell(number=1, source=code, grade_id="")],
        wrap=lambda command: ISOLATION.wrap(command, slot=0, scratch=scratch, hide=[ROOT], keep=_keep()),
        scratch=scratch,
    )
    assert run.cell_problems == [], run.cell_problems
    [observation] = run.observations
    assert observation["status"] == "returned", observation
    return {key: value for key, value in observation["value"]["$dict"]}


def test_the_course_folder_and_its_hidden_cases_cannot_be_read(tmp_path: Path) -> None:
    hidden = ROOT / "solutions" / "01-provenance" / "hidden-cases.yaml"
    seen = probe(f"import os\ndef probe():\n    return {{'hidden': os.path.exists({str(hidden)!r}),"
                 f" 'gradebook': os.path.exists({str(ROOT / 'course.yaml')!r}), 'uid': os.getuid()}}\n", tmp_path)
    assert seen == {"hidden": False, "gradebook": False, "uid": FIRST_UID}


def test_there_is_no_network(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        seen = probe("import socket\ndef probe():\n    try:\n"
                     f"        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                     "        return {'connected': True}\n    except OSError:\n        return {'connected': False}\n",
                     tmp_path)
    assert seen == {"connected": False}


def test_nothing_can_be_written_outside_the_scratch_folder(tmp_path: Path) -> None:
    target = tempfile.mktemp(prefix="who-says-so-escape-", dir="/tmp")
    seen = probe("def probe():\n    results = {}\n"
                 f"    for path in [{str(ROOT / 'escape.txt')!r}, '/usr/escape.txt', '/etc/escape.txt']:\n"
                 "        try:\n            open(path, 'w').write('x')\n            results[path] = True\n"
                 "        except OSError:\n            results[path] = False\n"
                 f"    open({target!r}, 'w').write('private tmp')\n"
                 "    open('mine.txt', 'w').write('scratch is writable')\n"
                 "    results['scratch'] = open('mine.txt').read()\n    return results\n", tmp_path)
    assert seen.pop("scratch") == "scratch is writable"
    assert not any(seen.values()), seen
    assert not Path(target).exists(), "the sandbox's /tmp is its own"
    assert not (ROOT / "escape.txt").exists()


def test_the_grader_cannot_be_signalled(tmp_path: Path) -> None:
    seen = probe("import os, signal\ndef probe():\n    try:\n"
                 f"        os.kill({os.getpid()}, signal.SIGTERM)\n        return {{'sent': True}}\n"
                 "    except OSError as error:\n        return {'sent': False}\n", tmp_path)
    assert seen == {"sent": False}


def test_no_process_is_left_behind(tmp_path: Path) -> None:
    marker = f"who-says-so-leftover-{os.getpid()}"
    probe("import subprocess\ndef probe():\n"
          f"    subprocess.Popen(['sh', '-c', 'exec -a {marker} sleep 300'], start_new_session=True)\n"
          "    return {'started': True}\n", tmp_path)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == []


def test_the_number_of_processes_is_limited(tmp_path: Path) -> None:
    seen = probe("import subprocess\ndef probe():\n    started = []\n    try:\n        for _ in range(60):\n"
                 "            started.append(subprocess.Popen(['sleep', '5']))\n    except OSError:\n        pass\n"
                 "    for process in started:\n        process.kill()\n    return {'started': len(started)}\n",
                 tmp_path, limits=Limits(wall_seconds=30, cell_seconds=20, call_seconds=20, processes=8))
    assert seen["started"] < 8


def test_the_isolation_in_force_is_recorded_with_each_result() -> None:
    assert "namespaces" in ISOLATION.description and "unprivileged user" in ISOLATION.description
