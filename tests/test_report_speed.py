"""The report benchmark runs on a small class and prints its time, memory and ratio (never asserted)."""

from __future__ import annotations

import sys

from autograder.manifest import load_manifest

from .conftest import ROOT, run_tool


def test_the_report_benchmark_prints_time_memory_and_a_ratio() -> None:
    result = run_tool([sys.executable, "benchmarks/report_speed.py", "--size", "6"], ROOT)
    assert "class: 6 submissions across" in result.stdout
    assert "course grade:" in result.stdout and "course report:" in result.stdout
    assert result.stdout.count("peak memory") == 2
    exercises = len(load_manifest(ROOT / "course.yaml").exercises)
    assert f"({exercises + 1} pages)" in result.stdout, "one page per exercise and the course page"
    assert "ratio: the report takes" in result.stdout
