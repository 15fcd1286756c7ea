"""The order of the grader's talk with a worker: a hidden case's call is never sent before the call before it
has been answered, while the visible cases' calls (which the student has in cases.yaml) go at once.

A stand-in worker, speaking the channel's protocol, notes for each call whether anything more had
already come from the grader while it was being answered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autograder.checks import Call
from autograder.runner import Limits, run_notebook
from autograder.runner.cells import CodeCell
from autograder.runner.launch import Wrapped

from .conftest import ROOT

STAND_IN = '''
import json, os, select, sys, time
calls, answers, notes = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = b""
def receive():
    global held
    while b"\\n" not in held:
        chunk = os.read(calls, 65536)
        if not chunk:
            sys.exit(0)
        held += chunk
    line, held = held.split(b"\\n", 1)
    return json.loads(line)
def send(record):
    os.write(answers, (json.dumps(record) + "\\n").encode())
job = receive()
send({"kind": "ready", "nonce": job["nonce"]})
send({"kind": "cells_done", "nonce": job["nonce"]})
seen = []
while True:
    message = receive()
    if "call" not in message:
        send({"kind": "done", "nonce": message["nonce"], "dropped": 0})
        break
    time.sleep(0.2)  # time enough for the grader to send the next call, if it were going to
    more = bool(held) or bool(select.select([calls], [], [], 0)[0])
    seen.append([message["call"]["case"], more])
    send({"kind": "observation", "nonce": message["nonce"], "case": message["call"]["case"],
          "function": message["call"]["function"], "status": "returned", "value": 1, "printed": ""})
with open(notes, "w") as out:
    json.dump(seen, out)
'''


def test_hidden_calls_wait_for_the_answer_before_them_and_visible_ones_go_together(tmp_path: Path) -> None:
    script, notes = tmp_path / "stand_in.py", tmp_path / "seen.json"
    script.write_text(STAND_IN, "utf-8")

    def wrap(command: list[str]) -> Wrapped:
        fds = command[command.index("-c") + 2:][:2]  # the two channel descriptors the grader passes
        return Wrapped(argv=[sys.executable, str(script), *fds, str(notes)], folder=str(tmp_path))

    calls = [Call(case_id=name, function="f", args=[], kwargs={}, public=name.startswith("visible"))
             for name in ("visible-1", "visible-2", "visible-3", "hidden-1", "hidden-2", "hidden-3")]
    run = run_notebook(ROOT / "exercises" / "01-provenance" / "provenance.ipynb", calls, Limits(wall_seconds=30),
                       cells=[CodeCell(number=1, source="", grade_id="")], wrap=wrap, scratch=tmp_path)
    assert run.grader_problem == "" and run.tampering == [] and run.finished
    assert [o.case for o in run.observations] == [c.case_id for c in calls]
    seen = dict(json.loads(notes.read_text("utf-8")))
    assert seen["visible-1"] and seen["visible-2"], "the visible calls after the first were there already"
    assert not any(seen[f"hidden-{n}"] for n in (1, 2, 3)), f"a hidden call came early: {seen}"
