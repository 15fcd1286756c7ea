"""Isolation for untrusted submissions: the strongest the host allows, and a record of which it was.

- :mod:`.policy` finds what the host allows and wraps a command accordingly;
- :mod:`.enter` runs inside new Linux namespaces: hides the course, drops to an unprivileged user.
"""

from __future__ import annotations

from .policy import Isolation, detect_isolation

__all__ = ["Isolation", "detect_isolation"]
