"""The benchmark scripts run and print their ratio (their timings are never asserted)."""

from __future__ import annotations

import sys

from .conftest import ROOT, run_tool


def test_the_check_speed_benchmark_prints_a_ratio() -> None:
    result = run_tool([sys.executable, "benchmarks/check_speed.py", "--runs", "1"], ROOT)
    assert "course check      median" in result.stdout
    assert "ratio: course check is" in result.stdout


def test_the_grading_benchmark_prints_throughput_memory_and_a_ratio() -> None:
    result = run_tool([sys.executable, "benchmarks/grade_speed.py", "--size", "6"], ROOT)
    assert "nbgrader autograde:" in result.stdout and "course grade:" in result.stdout
    assert "peak memory" in result.stdout
    assert "ratio: course grade's throughput is" in result.stdout
