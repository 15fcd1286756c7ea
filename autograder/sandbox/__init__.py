"""Isolation for untrusted submissions: the strongest the host allows, and a record of which it was.

- :mod:`.policy` finds what the host allows and wraps a command accordingly;
- :mod:`.enter` runs inside new Linux namespaces: hides the course, drops to an unprivileged user.
"""

from __future__ import annotations

TYPE_CHECKING = False  # read as typing.TYPE_CHECKING by type checkers; typing itself is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .policy import Isolation as Isolation, detect_isolation as detect_isolation

__all__ = ["Isolation", "detect_isolation"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the sandbox's entry (.enter) starts with the standard library only.
    if name in __all__:
        from . import policy

        return getattr(policy, name)
    raise AttributeError(name)
