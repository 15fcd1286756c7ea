"""The benchmark scripts run and print their ratio (their timings are never asserted)."""

from __future__ import annotations

import re
import sys

from .conftest import ROOT, run_tool


def test_the_check_speed_benchmark_prints_a_ratio() -> None:
    result = run_tool([sys.executable, "benchmarks/check_speed.py", "--runs", "1"], ROOT)
    assert "course check      median" in result.stdout
    assert "ratio: course check is" in result.stdout


def test_the_grading_benchmark_prints_throughput_memory_a_ratio_and_where_the_time_went() -> None:
    result = run_tool([sys.executable, "benchmarks/grade_speed.py", "--size", "6", "--memory-sizes", "3,6"], ROOT)
    out = result.stdout
    assert "nbgrader autograde:" in out and "course grade:" in out
    assert "peak memory" in out
    assert "ratio: course grade's throughput is" in out
    # course grade grades three copies of the class (one before nbgrader, two after); its time is their median
    assert re.search(r"^course grade: .*\(median of 3 runs: [\d.]+ s, [\d.]+ s, [\d.]+ s\)$", out, re.MULTILINE)
    assert ("scores: identical, cell by cell, for all 6 submissions (" in out
            and "graded cells), in each of course grade's 3 runs" in out), "both graders agree on honest work"
    for step in ("sandbox set-up", "worker start", "student code", "calls", "judging", "recording into the gradebook"):
        assert re.search(rf"^  {step}.* ms +[\d.]+ ms$", out, re.MULTILINE), f"a median and a p95 for {step}"
    # One changed submission: course grade runs and records that one alone, and says so.
    assert re.search(r"incremental: .* 01-provenance: 1 submissions; graded 1, unchanged since the last run 0; "
                     r"recorded in the gradebook 1;", out)
    assert re.search(r"memory: course grade's peak \d+ MiB for 3, \d+ MiB for 6 submissions", out)


def test_the_handover_benchmark_prints_a_ratio() -> None:
    result = run_tool([sys.executable, "benchmarks/handover_speed.py", "--rounds", "200"], ROOT)
    out = result.stdout
    assert out.startswith("one processor here") or (
        "one processor:" in out and "two processors:" in out and "ratio: a hand-over across two processors takes" in out)
