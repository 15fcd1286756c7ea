"""Run nbgrader's own converters in-process, with the course's settings."""

from __future__ import annotations

import io
import logging
import os
import sys
from pathlib import Path
from typing import Any

from .config import configure

__all__ = ["NbgraderError", "captured_log", "generate_assignment", "light_recording_imports", "put_own_tools_on_path",
           "skip_archive_tools", "skip_server_extensions", "skip_unused_format_checks"]


class NbgraderError(RuntimeError):
    """nbgrader reported a failure; the message carries its log."""


def generate_assignment(root: Path, name: str, **overrides: Any) -> None:
    """``nbgrader generate_assignment NAME --force`` for the course at *root*.

    *overrides* set ``CourseDirectory`` options (``release_directory``, ``db_url``).
    """
    skip_unused_format_checks()
    from nbgrader.converters import GenerateAssignment  # slow to import: only when a release is made
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    put_own_tools_on_path()
    config = configure(Config(), root=root)
    for option, value in overrides.items():
        setattr(config.CourseDirectory, option, value)
    config.CourseDirectory.assignment_id = name
    log, text = captured_log()
    app = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config, log=log)
    app.force = True
    try:
        app.start()
    except Exception as error:
        raise NbgraderError(f"nbgrader could not release {name}: {error}\n{text.getvalue()}") from None


def captured_log() -> tuple[logging.Logger, io.StringIO]:
    text = io.StringIO()
    log = logging.getLogger(f"who-says-so.nbgrader.{id(text)}")
    log.handlers[:] = [logging.StreamHandler(text)]
    log.setLevel(logging.INFO)
    log.propagate = False
    return log, text


UNUSED_FORMAT_PACKAGE = "rfc3987_syntax"


def skip_unused_format_checks() -> None:
    """Import jsonschema (which nbformat, and so nbgrader, imports) in this process as if its optional package
    ``rfc3987_syntax`` were not installed.

    jsonschema imports that package, when it is there, for its checks of the string formats "iri"
    and "iri-reference", and the package builds its grammar's parser as it is imported: about a
    second of the two that importing ``nbgrader.api`` takes. No one here checks a format:
    nbformat and nbgrader validate without a format checker, and their schemas name no format.
    So where the course records into the gradebook or releases an exercise, jsonschema is
    imported without it; its "iri" formats would then go unchecked, as jsonschema leaves any
    format whose package is missing. Does nothing once jsonschema or the package is imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault(UNUSED_FORMAT_PACKAGE, None)  # type: ignore[arg-type]  # "import" then fails


def skip_server_extensions() -> None:
    """Make ``import nbgrader.<module>`` in this process load only that module (and what it imports), not
    ``nbgrader/__init__.py``: the package's own start-up loads its Jupyter server extensions (tornado
    handlers for the notebook interface, about half a second), which the process that records into the
    gradebook never uses. The package's ``__version__`` is still set. Does nothing once nbgrader is imported.
    """
    if "nbgrader" in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.submodule_search_locations is None:
        return  # not installed as a package: importing it says so, where it is imported
    package = importlib.util.module_from_spec(spec)
    sys.modules["nbgrader"] = package
    try:
        from nbgrader._version import __version__
    except Exception:
        del sys.modules["nbgrader"]
        raise
    package.__version__ = __version__  # type: ignore[attr-defined]


ARCHIVE_TOOLS = "setuptools.archive_util"
_ARCHIVE_FUNCTIONS = ("unpack_archive", "unpack_tarfile", "unpack_zipfile")


def skip_archive_tools() -> None:
    """Let ``nbgrader.utils`` import its three archive functions from setuptools in this process without
    importing setuptools (a tenth of a second): each is a stand-in that imports the real one when first
    called. nbgrader uses them only to unpack downloaded archives, which the process that records into the
    gradebook never does. Does nothing once nbgrader's utilities or setuptools are imported."""
    if "nbgrader.utils" in sys.modules or ARCHIVE_TOOLS in sys.modules:
        return
    import types

    stand_in = types.ModuleType(ARCHIVE_TOOLS, "Stand-ins for setuptools' archive functions (see skip_archive_tools).")

    def real(name: str) -> Any:
        if sys.modules.get(ARCHIVE_TOOLS) is stand_in:
            del sys.modules[ARCHIVE_TOOLS]
        import importlib

        return getattr(importlib.import_module(ARCHIVE_TOOLS), name)

    def make(name: str) -> Any:
        def function(*args: Any, **kwargs: Any) -> Any:
            return real(name)(*args, **kwargs)
        function.__name__ = function.__qualname__ = name
        return function

    for name in _ARCHIVE_FUNCTIONS:
        setattr(stand_in, name, make(name))
    sys.modules[ARCHIVE_TOOLS] = stand_in


def light_recording_imports() -> None:
    """Each of the skips above, for a process that only records into the gradebook: call it before nbformat or
    nbgrader is imported."""
    skip_unused_format_checks()
    skip_server_extensions()
    skip_archive_tools()


def put_own_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` command of its own environment, which may not be on PATH."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path
