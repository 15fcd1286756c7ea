"""Hostile submissions: code and files that try to forge results, read what they must not, or break the batch.

Each builder returns notebook JSON (or code for an answer cell); the tests put them where
nbgrader collects submissions. The forged records are written in the format of the
grader's old results file and in that of its channel, so one attack is tried against both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.checks import load_suite

from .classgen import _set_answer, with_cell

OLD_CHANNEL = ".who-says-so-results.jsonl"
"""The name of the channel file the grader once kept in the scratch folder."""


def forged_lines(exercise_folder: Path) -> list[str]:
    """Observations of every visible case with its expected value: what a forger would like the grader to read."""
    suite = load_suite(exercise_folder)
    lines = [json.dumps({"kind": "observation", "case": c.id, "function": c.function, "status": "returned",
                         "value": c.expect, "printed": ""}) for c in suite.cases if not c.raises]
    return [*lines, json.dumps({"kind": "done"})]


# Code run in a cell of the submission: it finds every channel it can (files in its folder, and every
# pipe or file open in its process) and writes LINES to each.
WRITE_EVERYWHERE = """
import os, stat
def _write_everywhere(lines):
    data = ''.join(line + '\\n' for line in lines).encode()
    for name in os.listdir('.'):
        if name.endswith('.jsonl'):
            try:
                with open(name, 'ab') as handle:
                    handle.write(data)
            except OSError:
                pass
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) or stat.S_ISREG(os.fstat(fd).st_mode):
                os.write(fd, data)
        except OSError:
            pass
"""


def writes_forged_lines(reference: dict[str, Any], exercise_folder: Path, *, exit_after: bool) -> dict[str, Any]:
    """A notebook that defines nothing of its own, writes forged observations everywhere, and maybe exits."""
    lines = forged_lines(exercise_folder)
    code = WRITE_EVERYWHERE + f"_write_everywhere({lines!r})\n" + ("os._exit(0)\n" if exit_after else "")
    return with_cell(blank_answers(reference), code)


def blank_answers(notebook: dict[str, Any]) -> dict[str, Any]:
    """*notebook* with every answer cell emptied (so nothing is computed)."""
    changed = json.loads(json.dumps(notebook))
    for cell in changed["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution") and cell["cell_type"] == "code":
            cell["source"] = "pass\n"
    return changed


def exits_at_once(reference: dict[str, Any]) -> dict[str, Any]:
    """A notebook that defines nothing and ends its process in its first cell (with a channel file pre-placed)."""
    return with_cell(blank_answers(reference), "import os\nos._exit(0)\n")


BAD_RECORDS = {
    "deep-json": "'[' * 100_000 + ']' * 100_000",
    "a-list": "'[1]'",
    "seconds-x": "'{\"kind\": \"observation\", \"case\": \"x\", \"function\": \"f\", \"status\": \"timed_out\", "
                 "\"seconds\": \"x\"}'",
    "dropped-lots": "'{\"kind\": \"output\", \"dropped\": \"lots\"}', '{\"kind\": \"done\", \"dropped\": \"lots\"}'",
}
"""Lines that no honest worker writes, as Python expressions (one string or several)."""


def writes_bad_record(reference: dict[str, Any], kind: str) -> dict[str, Any]:
    """The reference, with a cell that writes a malformed record to every channel it can find."""
    return with_cell(reference, WRITE_EVERYWHERE + f"_write_everywhere([{BAD_RECORDS[kind]}])\n")


def returns_huge(reference: dict[str, Any], function: str, mib: int = 70) -> dict[str, Any]:
    """The reference, but *function* returns a string of *mib* MiB."""
    return with_cell(reference, f"def {function}(*args, **kwargs):\n    return 'x' * ({mib} * 1024 * 1024)\n",
                     after_answers=True)


def burns_processor_time(reference: dict[str, Any], *, ignore_xcpu: bool) -> dict[str, Any]:
    """The reference, with a cell that spins without end, deaf to its time limit (and maybe to SIGXCPU)."""
    code = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
    if ignore_xcpu:
        code += "signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n"
    return with_cell(reference, code + "while True:\n    pass\n")


def loops_on_hidden_inputs(reference: dict[str, Any], function: str) -> dict[str, Any]:
    """The reference, but *function* loops for ever on any input that no visible case uses (an honest bug that
    only the hidden checks find)."""
    code = (
        "import json as _json\nfrom autograder.checks import encode as _encode, load_suite as _load_suite\nfrom pathlib import Path as _Path\n"
        f"_seen = {{_json.dumps(c.args, sort_keys=True) for c in _load_suite(_Path('.')).cases if c.function == {function!r}}}\n"
        f"_honest_{function} = {function}\n"
        f"def {function}(*args, **kwargs):\n"
        "    if _json.dumps([_encode(a) for a in args], sort_keys=True) not in _seen:\n"
        "        while True:\n            pass\n"
        f"    return _honest_{function}(*args, **kwargs)\n"
    )
    return with_cell(reference, code, after_answers=True)


def loops_on_abbreviations(reference: dict[str, Any]) -> dict[str, Any]:
    """The reference, but split_sentences loops for ever on a text with the title "Mr." before a name (an honest bug
    that no visible or practice case of exercise 01 finds, only the hidden case ``abbreviations``, and that reads no
    file, so it behaves the same in any kernel)."""
    code = (
        "import re as _re\n_honest_split_sentences = split_sentences\n"
        "def split_sentences(text):\n"
        "    while _re.search(r'\\bMr\\. [A-Z]', text):\n        pass\n"
        "    return _honest_split_sentences(text)\n"
    )
    notebook = json.loads(json.dumps(reference))
    _set_answer(notebook, "split_sentences", code)  # in the task's own answer cell, before its check cell
    return notebook
