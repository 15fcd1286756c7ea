"""The worker as the grader starts it: ready without the slow modules, and the same answers as before.

Each run is a real worker process started by ``run_notebook`` (its real command line, unsandboxed);
what it had imported is read from its own ``sys.modules`` by the learner's code, which runs after
the worker said it was ready.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from autograder.checks import Call
from autograder.record_checks import MAX_VALUE_DEPTH, value_depth
from autograder.runner import Limits, NotebookRun, run_notebook
from autograder.runner.cells import CodeCell
from autograder.runner.jsonlines import dumps, loads

from .conftest import ROOT

NOTEBOOK = ROOT / "exercises" / "01-provenance" / "provenance.ipynb"
SLOW = ["typing", "dataclasses", "re", "enum", "json", "inspect", "ast", "contextlib", "functools", "collections",
        "importlib.util", "linecache", "tokenize", "traceback", "signal", "datetime", "autograder.records",
        "autograder.checks.cases"]


def run(cells: list[str], calls: list[tuple[str, list[Any]]]) -> NotebookRun:
    """Run *cells*, then each (function, args) call, in a real worker."""
    return run_notebook(
        NOTEBOOK, [Call(case_id=f"case-{i}", function=f, args=args, kwargs={}) for i, (f, args) in enumerate(calls)],
        Limits(), cells=[CodeCell(number=n, source=source, grade_id=f"cell-{n}") for n, source in enumerate(cells, 1)],
    )


def test_the_worker_is_ready_without_the_slow_modules() -> None:
    result = run(["import sys\nLOADED = sorted(sys.modules)\ndef loaded():\n    return LOADED\n"], [("loaded", [])])
    assert result.finished and result.tampering == [], result
    [observation] = result.observations
    loaded = set(observation.value["$seq"])
    assert "autograder.runner.worker" in loaded and "_json" in loaded  # the worker, and the json it uses
    assert sorted(loaded & set(SLOW)) == []


def test_tracebacks_show_the_lines_of_the_cells() -> None:
    """linecache is imported only when something needs it, and then holds every cell's lines."""
    cells = ["def crash():\n    words = ['said']\n    return words[3]\n",
             "import traceback\n\ndef told():\n    try:\n        crash()\n    except IndexError:\n"
             "        return traceback.format_exc()\n"]
    result = run(cells, [("crash", []), ("told", [])])
    assert result.finished and result.tampering == [], result
    crashed, told = result.observations
    assert (crashed.status, crashed.error, crashed.line, crashed.code) == ("raised", "IndexError", 3,
                                                                           "return words[3]")
    assert told.status == "returned"
    assert 'File "<cell 2>", line 5, in told\n    crash()' in told.value
    assert 'File "<cell 1>", line 3, in crash\n    return words[3]' in told.value


def test_dates_are_built_for_the_calls_and_sent_back_though_the_worker_did_not_import_datetime() -> None:
    cells = ["def year(day):\n    return day.year\n",
             "import datetime\n\ndef later(day):\n    return day + datetime.timedelta(days=1)\n\n"
             "def same(moment):\n    return moment\n"]
    result = run(cells, [("year", [{"$date": "2017-05-15"}]), ("later", [{"$date": "2017-05-15"}]),
                         ("same", [{"$datetime": "2017-05-15T10:30:00"}])])
    assert result.finished and result.tampering == [], result
    assert [(o.status, o.value) for o in result.observations] == [
        ("returned", 2017), ("returned", {"$date": "2017-05-16"}), ("returned", {"$datetime": "2017-05-15T10:30:00"})]


def test_failed_calls_are_named_and_placed_without_importing_traceback() -> None:
    """A stub, a crash in a library's code and a crash in a helper are each named and placed on the learner's line
    (the stub by the function that raised), and the worker has imported neither traceback nor linecache for it."""
    cells = ["def helper(words):\n    raise NotImplementedError('write helper')\n\n"
             "def uses_helper(text):\n    return helper(text.split())\n\n"
             "def stub(text):\n    raise NotImplementedError\n",
             "def finds(text):\n    start = 0\n    return text.index(\n        'said', start)\n\n"
             "def inner(n):\n    return 10 // n\n\ndef outer(n):\n    total = inner(n)\n    return total\n",
             "import sys\n\ndef loaded():\n    return sorted(sys.modules)\n"]
    result = run(cells, [("uses_helper", ["a b"]), ("stub", ["a"]), ("finds", ["quoted"]), ("outer", [0]),
                         ("loaded", [])])
    assert result.finished and result.tampering == [], result
    helper, stub, finds, outer, loaded = result.observations
    assert (helper.status, helper.function, stub.status, stub.function) == ("not_implemented", "helper",
                                                                            "not_implemented", "stub")
    assert (finds.status, finds.error, finds.line, finds.code) == ("raised", "ValueError", 3, "return text.index(")
    assert (outer.status, outer.error, outer.line, outer.code) == ("raised", "ZeroDivisionError", 7,
                                                                   "return 10 // n")
    assert sorted({"traceback", "linecache", "tokenize"} & set(loaded.value["$seq"])) == []


def test_a_failed_call_is_placed_as_traceback_places_it_once_the_learner_has_imported_it() -> None:
    """With linecache imported by the learner's code (and sys.tracebacklimit set), the same lines and code."""
    cells = ["import traceback\n\ndef inner(n):\n    return 10 // n\n\ndef outer(n):\n    return inner(n)\n",
             "import sys\n\ndef limited(n):\n    sys.tracebacklimit = 3\n    return outer(n)\n"]
    result = run(cells, [("outer", [0]), ("limited", [0])])
    assert result.finished and result.tampering == [], result
    outer, limited = result.observations
    assert (outer.error, outer.line, outer.code) == ("ZeroDivisionError", 4, "return 10 // n")
    # traceback keeps the three outermost frames (the course's call of limited(), limited, outer): not inner's
    assert (limited.status, limited.error, limited.line, limited.code) == ("raised", "ZeroDivisionError", 7,
                                                                           "return inner(n)")


def test_a_cell_that_fails_is_placed_on_its_line() -> None:
    result = run(["x = 1\n\nraise KeyError('k')\n", "y = (\n"], [])
    assert [p.to_data() for p in result.cell_problems] == [
        {"cell": 1, "grade_id": "cell-1", "problem": "error", "error": "KeyError", "message": "'k'", "line": 3},
        {"cell": 2, "grade_id": "cell-2", "problem": "syntax", "error": "SyntaxError",
         "message": "'(' was never closed", "line": 1},
    ]


def test_an_observation_no_honest_worker_sends_is_turned_into_a_grader_error_by_the_worker() -> None:
    """An exception class whose names are not text would make an observation the grader refuses; the worker checks
    its own with the grader's check and sends a GraderError in its place, so the run goes on."""
    cells = ["class Odd(type):\n    @property\n    def __name__(cls):\n        return 42\n\n"
             "class Strange(Exception, metaclass=Odd):\n    pass\n\n"
             "def strange():\n    raise Strange('odd')\n\ndef fine():\n    return 'ok'\n"]
    result = run(cells, [("strange", []), ("fine", [])])
    assert result.finished and result.tampering == [], result
    strange, fine = result.observations
    assert (strange.status, strange.error, strange.message) == ("raised", "GraderError",
                                                                 "'bases' should be a list of class names")
    assert (fine.status, fine.value) == ("returned", "ok")


def _depth(value: Any) -> int:
    """How deeply *value* nests, by the definition: 1 for a value holding nothing, one more than its deepest item."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return 1 + max((_depth(item) for item in items), default=0)


@pytest.mark.parametrize("value", [0, "text", [], {}, [1], {"a": [1, {"b": []}]}, [[], [[[]]], {"c": 2}],
                                   {"$dict": [["source", "x"], ["verb", "said"]]}, [[[[5]]], 1, [2, [3]]]])
def test_the_depth_of_a_value_is_counted_as_defined(value: Any) -> None:
    assert value_depth(value) == _depth(value)


def test_counting_the_depth_stops_one_past_the_limit() -> None:
    deep: Any = []
    for _ in range(MAX_VALUE_DEPTH * 10):
        deep = [deep, 1]
    assert value_depth(deep) == MAX_VALUE_DEPTH + 1
    assert value_depth([[[[]]]], limit=2) == 3 and value_depth([[[[]]]], limit=4) == 4


VALUES: list[Any] = [
    {"kind": "ready", "nonce": "ab12", "clock": 12.5}, "plain", "", "naïve “quoted” ünïcode ✓ 😀", "\ud800 lone",
    "\x00\x1f\\\"/\n\t", 0, -3, 10**40, 1.5, -0.0, 1e300, math.inf, -math.inf, math.nan, True, False, None,
    [], {}, [1, [2, [3, {"a": [None, True]}]]], {"": 1, "é": {"$seq": [1.25, "x"]}},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_workers_json_is_the_json_packages(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False)
    line = (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")
    assert json.dumps(loads(line)) == json.dumps(json.loads(line))
    text = json.dumps(value, ensure_ascii=False)  # as the sandbox's entry reads its settings
    assert json.dumps(loads(text)) == json.dumps(json.loads(text))


@pytest.mark.parametrize("line", [b"", b"\n", b"{", b'{"a": 1} x', b"[1,]", b'"\x01"', b"\xff{}", b"NaNa",
                                  b"\xef\xbb\xbf{}", '{"a": 1}'.encode("utf-16"), b" 1 \r\n", b"[" * 100000])
def test_the_workers_json_reads_and_refuses_lines_as_the_json_package_does(line: bytes) -> None:
    def outcome(read: Any) -> Any:
        try:
            return ("value", json.dumps(read(line)))
        except Exception as error:  # the same class and message as the json package's
            return ("error", type(error), str(error))

    assert outcome(loads) == outcome(json.loads)
    if line.isascii():
        text = line.decode("ascii")
        assert outcome(lambda _: loads(text)) == outcome(lambda _: json.loads(text))


@pytest.mark.parametrize("value", [{"a": {1, 2}}, {(1, 2): "tuple key"}, [object()]], ids=["set", "key", "object"])
def test_the_workers_json_refuses_values_as_the_json_package_does(value: Any) -> None:
    with pytest.raises(TypeError) as ours:
        dumps(value)
    with pytest.raises(TypeError) as theirs:
        json.dumps(value, ensure_ascii=False)
    assert str(ours.value) == str(theirs.value)


def test_the_workers_json_parts_are_the_fast_ones_here() -> None:
    """On this Python the C parts are used (else every line would go through the json package, slowly)."""
    from autograder.runner import jsonlines

    assert jsonlines._scan is not None and jsonlines._make_encoder is not None


FAILING = '''
def divide(n):
    return 10 // n

def deep(n):
    return [divide(x) for x in range(n, -1, -1)]

def lookup(key):
    table = {"a": 1}
    return (table[
        key])

def through_library(text):
    import json
    return json.loads(text)

def generator(n):
    yield divide(n)

def first(n):
    return next(generator(n))

def reraised(n):
    try:
        divide(n)
    except ZeroDivisionError as error:
        raise ValueError("no") from error

shout = lambda word: word.upper() + None
'''

CALLS = [("divide", (0,)), ("deep", (3,)), ("lookup", ("b",)), ("through_library", ("{",)),
         ("first", (0,)), ("reraised", (0,)), ("shout", ("x",))]


@pytest.mark.parametrize(("function", "args"), CALLS, ids=[name for name, _ in CALLS])
def test_the_frames_of_an_error_are_tracebacks_frames(tmp_path: Path, function: str, args: tuple[Any, ...]) -> None:
    """File, line, function and line of code of every frame, as traceback.extract_tb gives them, for errors raised
    in a module's file and in code compiled under a cell's name; and the crash site that follows from them."""
    import traceback

    from autograder.checks.run import crash_site, error_frames
    from autograder.runner.sources import remember

    path = tmp_path / "failing.py"
    path.write_text(FAILING, "utf-8")
    remember("<cell 9>", FAILING)
    for namespace in ({"__name__": "failing_file"}, {"__name__": "__main__"}):
        name = str(path) if namespace["__name__"] == "failing_file" else "<cell 9>"
        exec(compile(FAILING, name, "exec"), namespace)
        try:
            namespace[function](*args)
        except Exception as error:
            expected = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(error.__traceback__)]
            assert [(f.filename, f.lineno, f.name, f.line) for f in error_frames(error)] == expected
            own = [f for f in expected if f[0] == name]
            assert crash_site(error) == {"line": own[-1][1], "code": own[-1][3]}
        else:
            raise AssertionError(f"{function} did not fail")
