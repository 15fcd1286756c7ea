"""``python -m autograder`` is the ``course`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
