"""Run nbgrader's own converters in-process, with the course's settings."""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import configure

__all__ = ["NbgraderError", "captured_log", "defer_web_client", "generate_assignment", "light_recording_imports",
           "put_own_tools_on_path", "skip_archive_tools", "skip_server_extensions", "skip_unused_format_checks"]


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


UNUSED_FORMAT_PACKAGES = ("rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator", "isoduration",
                          "uri_template", "webcolors", "jsonpointer", "fqdn")
"""The optional packages jsonschema imports, when they are installed, only to check string formats ("iri",
"duration", "color", ...). ``idna`` is not among them: other packages use it."""


def skip_unused_format_checks() -> None:
    """Import jsonschema (which nbformat, and so nbgrader, imports) in this process as if its optional format
    packages (:data:`UNUSED_FORMAT_PACKAGES`) were not installed.

    jsonschema imports each of them, when it is there, for its checks of a string format, and
    ``rfc3987_syntax`` builds its grammar's parser as it is imported: about a second of the two
    that importing ``nbgrader.api`` takes; ``isoduration`` (with ``arrow``) and the rest add a
    tenth of a second of processor time. No one here checks a format: nbformat and nbgrader validate
    without a format checker, and their schemas name no format. So where the course records into
    the gradebook or releases an exercise, jsonschema is imported without them; those formats would
    then go unchecked, as jsonschema leaves any format whose package is missing. The packages
    themselves can still be imported afterwards. Does nothing once jsonschema is imported.
    """
    if "jsonschema" in sys.modules:
        return
    blocked = [name for name in UNUSED_FORMAT_PACKAGES if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # "import" then fails, as for a missing package
    import importlib

    try:
        importlib.import_module("jsonschema")
    except ImportError:
        pass  # not installed: whoever imports it is told so
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


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
    stand_in, real = _stand_in(ARCHIVE_TOOLS, "Stand-ins for setuptools' archive functions (see skip_archive_tools).")

    def make(name: str) -> Any:
        def function(*args: Any, **kwargs: Any) -> Any:
            return real(name)(*args, **kwargs)
        function.__name__ = function.__qualname__ = name
        return function

    for name in _ARCHIVE_FUNCTIONS:
        setattr(stand_in, name, make(name))
    sys.modules[ARCHIVE_TOOLS] = stand_in


WEB_CLIENT = "requests"


def defer_web_client() -> None:
    """Let ``import requests`` in this process give a stand-in module, which imports the real package when one of
    its names is first used and hands that name on. nbgrader's JupyterHub plugin imports it (about 65 ms of
    processor time) to call JupyterHub's web API, which the process that records into the gradebook never
    does. Does nothing once it is imported, or where it is not installed."""
    if WEB_CLIENT in sys.modules:
        return
    import importlib.util

    if importlib.util.find_spec(WEB_CLIENT) is None:
        return
    stand_in, real = _stand_in(WEB_CLIENT, "A stand-in for the requests package (see defer_web_client).")
    stand_in.__getattr__ = real  # a module's own __getattr__ (PEP 562)
    sys.modules[WEB_CLIENT] = stand_in


def _stand_in(module: str, doc: str) -> tuple[Any, Callable[[str], Any]]:
    """A module to put in place of *module*, and a function that gives one of the real module's names: it first
    takes the stand-in out of ``sys.modules`` (if it is still there), then imports the real one."""
    import importlib
    import types

    stand_in = types.ModuleType(module, doc)

    def real(name: str) -> Any:
        if sys.modules.get(module) is stand_in:
            del sys.modules[module]
        return getattr(importlib.import_module(module), name)

    return stand_in, real


def light_recording_imports() -> None:
    """Each of the skips above, for a process that only records into the gradebook: call it before nbformat or
    nbgrader is imported."""
    skip_unused_format_checks()
    skip_server_extensions()
    skip_archive_tools()
    defer_web_client()


def put_own_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` command of its own environment, which may not be on PATH."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path
