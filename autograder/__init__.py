"""Who Says So?: the course's checking and grading tools.

The package's parts, one folder or module each:

- :mod:`autograder.checks`: the check engine (cases as data, observe, judge, report);
- :mod:`autograder.notebook`: ``check(task, globals())`` for a notebook's check cells;
- :mod:`autograder.manifest`: reading and validating ``course.yaml``;
- :mod:`autograder.nbgrader_bridge`: nbgrader's configuration and the release of exercises;
- :mod:`autograder.cli`: the ``course`` command.
"""

from __future__ import annotations

TYPE_CHECKING = False  # read as typing.TYPE_CHECKING by type checkers; typing itself is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .datafiles import DataFileError as DataFileError
    from .notebook import check as check

    __version__: str

__all__ = ["DataFileError", "__version__", "check"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that the sandboxed worker starts without the YAML and schema libraries.
    if name == "check":
        from .notebook import check

        return check
    if name == "DataFileError":
        from .datafiles import DataFileError

        return DataFileError
    if name == "__version__":
        # The code's own release number, which pyproject.toml repeats: an installed package's metadata
        # can be older than the checkout that is imported (a course's own checkout on PYTHONPATH).
        from .records import GRADER_VERSION

        return GRADER_VERSION
    raise AttributeError(name)
