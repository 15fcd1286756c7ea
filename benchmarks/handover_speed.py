"""What one hand-over between the grader and a worker costs, on one processor and across two.

    python benchmarks/handover_speed.py [--rounds 20000]

Two processes pass a short message back and forth over a pair of pipes, as a slot's thread and
its sandboxed worker do for each lockstep call (a call goes out, its answer comes back). Runs it
with both processes kept on one processor, then on two different ones, and prints, per round
trip, the wall time and the processor time the machine spent (from /proc/stat, so the kernel's
share is counted), and the ratio. `course grade` keeps each slot on one processor because of it
(see autograder/sandbox/processors.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def machine_ticks() -> int:
    """Clock ticks the machine's processors have spent busy since boot (user, nice, system, irq, softirq)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(n) for n in handle.readline().split()[1:]]
    return fields[0] + fields[1] + fields[2] + fields[5] + fields[6]


def round_trips(rounds: int, here: int, there: int) -> tuple[float, float]:
    """Seconds of wall time and of busy processor time per round trip, this process on *here*, its partner on
    *there*."""
    calls_read, calls_write = os.pipe()
    answers_read, answers_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, {there})
        for _ in range(rounds):
            os.write(answers_write, os.read(calls_read, 256))
        os._exit(0)
    os.sched_setaffinity(0, {here})
    message = b'{"nonce": "0123456789abcdef", "call": {"case": "c1", "args": ["text"]}}\n'
    os.write(calls_write, message)  # one round before the clock starts: both are running
    os.read(answers_read, 256)
    ticks, began = machine_ticks(), time.perf_counter()
    for _ in range(rounds - 1):
        os.write(calls_write, message)
        os.read(answers_read, 256)
    wall = time.perf_counter() - began
    busy = (machine_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
    os.waitpid(pid, 0)
    for fd in (calls_read, calls_write, answers_read, answers_write):
        os.close(fd)
    return wall / (rounds - 1), busy / (rounds - 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20000, help="round trips of each kind (default 20000)")
    args = parser.parse_args()
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        print("one processor here: nothing to compare")
        return 0
    first, second = allowed[0], allowed[1]
    same_wall, same_busy = round_trips(args.rounds, first, first)
    cross_wall, cross_busy = round_trips(args.rounds, first, second)
    print(f"round trips: {args.rounds} of each kind, load average {os.getloadavg()[0]:.1f}")
    print(f"one processor:   {same_wall * 1e6:6.1f} us wall, {same_busy * 1e6:6.1f} us of processor time per round trip")
    print(f"two processors:  {cross_wall * 1e6:6.1f} us wall, {cross_busy * 1e6:6.1f} us of processor time per round trip")
    print(f"ratio: a hand-over across two processors takes {cross_wall / same_wall:.1f}x the wall time and "
          f"{cross_busy / max(same_busy, 1e-9):.1f}x the processor time of one within a processor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
