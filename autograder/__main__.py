"""``python -m autograder`` is the ``course`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":  # not when a process that records (multiprocessing's spawn) imports it
    sys.exit(main())
