"""The Gradescope bundle in a copy of Gradescope's harness: /autograder laid out in a temporary root.

Gradescope unzips the bundle into /autograder/source, runs setup.sh there once as root, copies
run_autograder to /autograder/run_autograder and runs it from /autograder for each submission,
with the submission in /autograder/submission; it reads /autograder/results/results.json.

Gradescope's Ubuntu images are not available here, so setup.sh's choices are tested against
stand-ins: a system `python3` that reports Python 3.10 and carries setuptools 59.6.0 (Ubuntu
22.04's), no `python3.11` until a stand-in `apt-get` "installs" it (this machine's own Python
3.11), and an `unshare` that is refused as in an ordinary container. Only PyPI packages are
downloaded (pip, setuptools for the build, the grader's two requirements).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.exports import GRADER_PROBLEM
from autograder.sandbox.policy import DESCRIPTIONS, SWITCH

USER_ONLY, LIMITS_ONLY = DESCRIPTIONS["user"], DESCRIPTIONS["limits"]

from .classgen import half_right, submit, with_cell
from .conftest import ROOT, copy_course, run_tool, solved_release

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"
SYSTEM_PYTHON_311 = Path("/usr/bin/python3.11")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
NOBODY = 65534

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                       reason="the harness runs setup.sh as root and run_autograder as root and as another user"),
    pytest.mark.skipif(not SYSTEM_PYTHON_311.is_file() or not shutil.which("setpriv"),
                       reason="needs /usr/bin/python3.11 (the stand-in for Ubuntu's python3.11 package) and setpriv"),
]

FAKE_SITECUSTOMIZE = """\
# Makes this interpreter look like Ubuntu 22.04's python3 to whoever asks it its version.
import collections, sys
sys.version_info = collections.namedtuple("version_info", "major minor micro releaselevel serial")(3, 10, 12, "final", 0)
sys.version = "3.10.12 (stand-in for Ubuntu 22.04's python3)"
"""

FAKE_PYTHON3 = """\
#!/bin/sh
# Stand-in for Ubuntu 22.04's python3: it reports Python 3.10 and has setuptools 59.6.0.
echo "python3 $*" >> {log}
case "$1" in --version|-V) echo "Python 3.10.12"; exit 0;; esac
PYTHONPATH={site} exec {real} "$@"
"""

FAKE_SETUPTOOLS = """\
# Stand-in for Ubuntu 22.04's setuptools 59.6.0, too old to read pyproject.toml's [project] table.
with open({log!r}, "a") as _log:
    _log.write("the system's setuptools 59.6.0 was imported\\n")
__version__ = "59.6.0"
"""

FAKE_APT_GET = """\
#!/bin/sh
# Stand-in for Ubuntu 22.04's apt-get: "installs" python3.11 (this machine's Python 3.11, with venv).
echo "apt-get $*" >> {log}
case "$1" in
    update) exit 0;;
    install) shift;;
    *) echo "stand-in apt-get: $1 is not supported" >&2; exit 100;;
esac
for arg in "$@"; do
    case "$arg" in
        -y|-qq|--no-install-recommends) ;;
        python3.11) ln -sf {real} {bin}/python3.11;;
        python3.11-venv) ;;
        *) echo "E: Unable to locate package $arg" >&2; exit 100;;
    esac
done
"""

REFUSED_UNSHARE = """\
#!/bin/sh
# Stand-in for unshare in an ordinary container, where new namespaces are refused.
echo "unshare: unshare failed: Operation not permitted" >&2
exit 1
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    path.chmod(0o755)
    return path


def _system_bin(folder: Path) -> Path:
    """A bin folder with this machine's commands but no Python: Ubuntu 22.04 has none of 3.11 or newer."""
    folder.mkdir()
    for where in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]:
        if not os.path.isdir(where):
            continue
        for name in os.listdir(where):
            if name.startswith(("python", "pip", "pydoc", "2to3", "idle")) or os.path.lexists(folder / name):
                continue
            (folder / name).symlink_to(os.path.join(where, name))
    return folder


def _no_apt_get(folder: Path) -> Path:
    """A bin folder whose apt-get only notes that it was called (the machine's own is never run)."""
    (folder / "no-apt").mkdir()
    _script(folder / "no-apt" / "apt-get", f"#!/bin/sh\necho \"apt-get $*\" >> {folder / 'apt-get.txt'}\nexit 100\n")
    return folder / "no-apt"


def _clean_env(path: str) -> dict[str, str]:
    """This environment without the test's Python settings, with *path* as PATH."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PATH"}}
    return env | {"PATH": path, "LANG": "C.UTF-8"}


def _harness(bundle: Path) -> Path:
    """A fresh /autograder in a temporary root that another user may enter, the bundle unzipped in source/."""
    top = Path(tempfile.mkdtemp(prefix="who-says-so-harness-"))
    top.chmod(0o755)
    autograder = top / "autograder"
    for part in ["source", "submission", "results"]:
        (autograder / part).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, autograder / "source"))
            if info.external_attr >> 16:
                target.chmod((info.external_attr >> 16) & 0o777)
    return autograder


def _setup(autograder: Path, path: str) -> subprocess.CompletedProcess[str]:
    """Run setup.sh as Gradescope does: as root, from source/."""
    return subprocess.run(["bash", "./setup.sh"], cwd=autograder / "source", env=_clean_env(path),
                          capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_course(tmp_path_factory.mktemp("harness") / "course")


@pytest.fixture(scope="module")
def bundle(course: Path) -> Path:
    run_tool(["course", "bundle", EXERCISE, "--out", "bundle.zip"], course)
    return course / "bundle.zip"


@pytest.fixture(scope="module")
def submissions(course: Path) -> dict[str, dict[str, Any]]:
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    release = json.loads((course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    return {"reference": reference, "untouched": release, "wrong": half_right(reference, "split_sentences")}


@pytest.fixture(scope="module")
def course_grade_scores(course: Path, submissions: dict[str, dict[str, Any]]) -> dict[str, dict[int, float]]:
    """Points per task that `course grade` gives the same notebooks, to hold Gradescope's results against."""
    for name, notebook in submissions.items():
        submit(course, name, EXERCISE, NOTEBOOK, notebook)
    run_tool(["course", "grade", EXERCISE], course)
    records = {n: json.loads((course / "results" / EXERCISE / f"{n}.json").read_text("utf-8")) for n in submissions}
    return {n: {t["task"]: t["earned"] for t in r["tasks"]} for n, r in records.items()}


@pytest.fixture(scope="module")
def jammy(bundle: Path) -> Iterator[tuple[Path, subprocess.CompletedProcess[str], str]]:
    """setup.sh run in the stand-in for Ubuntu 22.04: (the /autograder root, the run, the stand-ins' log)."""
    autograder = _harness(bundle)
    standins = autograder.parent / "standins"  # the venv's python links here: others must be able to enter
    log, site, fake = standins / "log.txt", standins / "site", standins / "bin"
    for folder in (site, fake):
        folder.mkdir(parents=True)
    log.touch()
    (site / "sitecustomize.py").write_text(FAKE_SITECUSTOMIZE, "utf-8")
    (site / "setuptools").mkdir()
    (site / "setuptools" / "__init__.py").write_text(FAKE_SETUPTOOLS.format(log=str(log)), "utf-8")
    (site / "setuptools-59.6.0.dist-info").mkdir()
    (site / "setuptools-59.6.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: setuptools\nVersion: 59.6.0\n", "utf-8")
    _script(fake / "python3", FAKE_PYTHON3.format(log=log, site=site, real=SYSTEM_PYTHON_311))
    _script(fake / "apt-get", FAKE_APT_GET.format(log=log, real=SYSTEM_PYTHON_311, bin=fake))
    system = _system_bin(standins / "system")
    run = _setup(autograder, f"{fake}:{system}")
    yield autograder, run, log.read_text("utf-8")
    shutil.rmtree(autograder.parent, ignore_errors=True)


def test_setup_on_ubuntu_22_04_installs_python_3_11_and_never_uses_the_system_python_or_setuptools(
    jammy: tuple[Path, subprocess.CompletedProcess[str], str]
) -> None:
    autograder, run, log = jammy
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.splitlines()
    assert "apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv" in calls
    assert all("sys.version_info" in call or "--version" in call for call in calls if call.startswith("python3 ")), \
        "the 3.10 python3 was only asked its version"
    assert "setuptools 59.6.0 was imported" not in log
    assert "using " in run.stdout and "python3.11" in run.stdout
    assert f"setup.sh: installed who-says-so {VERSION} with Python 3.11" in run.stdout
    venv = autograder / "source" / "venv"
    assert (venv / "pyvenv.cfg").read_text("utf-8").count("3.11")
    assert not list(venv.glob("lib/python*/site-packages/UNKNOWN*")), "no empty package"
    assert os.stat(autograder / "source" / "exercise" / "hidden-cases.yaml").st_mode & 0o077 == 0


def test_setup_with_a_recent_system_python_uses_it_without_apt_get(bundle: Path, tmp_path: Path) -> None:
    """A system Python that is new enough (Ubuntu 24.04's is 3.12; this machine's own stands in) is used as it is."""
    autograder = _harness(bundle)
    try:
        run = _setup(autograder, f"{_no_apt_get(tmp_path)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        assert run.returncode == 0, run.stdout + run.stderr
        assert not (tmp_path / "apt-get.txt").exists(), "apt-get was not needed"
        assert f"setup.sh: installed who-says-so {VERSION}" in run.stdout
    finally:
        shutil.rmtree(autograder.parent, ignore_errors=True)


NO_VENV_SITECUSTOMIZE = """\
# Makes this interpreter lack ensurepip, as Ubuntu's python3 does until python3.X-venv is installed.
import os, sys
if not os.path.exists({marker!r}):
    class _NoEnsurepip:
        def find_spec(self, name, path=None, target=None):
            if name == "ensurepip":
                raise ImportError("No module named 'ensurepip' (stand-in: python3-venv is not installed)")
            return None
    sys.meta_path.insert(0, _NoEnsurepip())
"""


def test_setup_with_a_recent_python_without_venv_installs_only_the_venv_package(bundle: Path) -> None:
    """Ubuntu 24.04's python3 is new enough but may lack venv: setup.sh installs python3.X-venv, and nothing else.

    This machine's Python 3.11 plays that python3, without ensurepip until the stand-in apt-get runs."""
    autograder = _harness(bundle)
    try:
        standins = autograder.parent / "standins"
        site, fake, log, marker = standins / "site", standins / "bin", standins / "log.txt", standins / "venv-installed"
        for folder in (site, fake):
            folder.mkdir(parents=True)
        (site / "sitecustomize.py").write_text(NO_VENV_SITECUSTOMIZE.format(marker=str(marker)), "utf-8")
        _script(fake / "python3", f"#!/bin/sh\nPYTHONPATH={site} exec {SYSTEM_PYTHON_311} \"$@\"\n")
        _script(fake / "apt-get", f"#!/bin/sh\necho \"apt-get $*\" >> {log}\n"
                f"case \"$*\" in update*) exit 0;; *' python3.11-venv') touch {marker}; exit 0;; esac\nexit 100\n")
        run = _setup(autograder, f"{fake}:{_system_bin(standins / 'system')}")
        assert run.returncode == 0, run.stdout + run.stderr
        assert log.read_text("utf-8").splitlines() == [
            "apt-get update -qq", "apt-get install -y -qq --no-install-recommends python3.11-venv"]
        assert f"setup.sh: installed who-says-so {VERSION}" in run.stdout
    finally:
        shutil.rmtree(autograder.parent, ignore_errors=True)


def test_setup_fails_loudly_when_the_package_built_is_empty(bundle: Path, tmp_path: Path) -> None:
    """Built with Ubuntu 22.04's setuptools 59, which cannot read pyproject.toml's [project] table, the
    package comes out as UNKNOWN-0.0.0 (this setuptools comes from PyPI): setup.sh must stop, not "succeed"."""
    autograder = _harness(bundle)
    try:
        project = autograder / "source" / "pyproject.toml"
        text = project.read_text("utf-8")
        assert 'requires = ["setuptools>=77"]' in text
        project.write_text(text.replace('requires = ["setuptools>=77"]', 'requires = ["setuptools==59.6.0"]'), "utf-8")
        run = _setup(autograder, f"{_no_apt_get(tmp_path)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        assert run.returncode != 0
        assert "who-says-so is not installed (an empty package, such as UNKNOWN-0.0.0, was built)" in run.stderr
        assert "setup.sh: FAILED: the installed package does not work" in run.stderr
    finally:
        shutil.rmtree(autograder.parent, ignore_errors=True)


def test_setup_fails_loudly_when_no_python_can_be_installed(bundle: Path, tmp_path: Path) -> None:
    autograder = _harness(bundle)
    try:
        fake = tmp_path / "bin"
        fake.mkdir()
        _script(fake / "apt-get", "#!/bin/sh\n[ \"$1\" = update ] && exit 0\necho 'E: Unable to locate package' >&2\n"
                "exit 100\n")
        run = _setup(autograder, f"{fake}:{_system_bin(tmp_path / 'system')}")
        assert run.returncode != 0
        assert "setup.sh: FAILED: apt-get could not install python3.11 python3.11-venv" in run.stderr
        assert not (autograder / "source" / "venv").exists()
    finally:
        shutil.rmtree(autograder.parent, ignore_errors=True)


# ----- run_autograder, as root without namespaces and as another user -----------------------------


@pytest.fixture(scope="module")
def installed(jammy: tuple[Path, subprocess.CompletedProcess[str], str]) -> Path:
    autograder, run, _ = jammy
    if run.returncode != 0:
        pytest.fail(f"setup.sh failed:\n{run.stdout}\n{run.stderr}")
    shutil.copy2(autograder / "source" / "run_autograder", autograder / "run_autograder")
    return autograder


@pytest.fixture(scope="module")
def as_nobody(installed: Path) -> Iterator[Path]:
    """A copy of the installed harness owned by an ordinary user, as an instructor's own copy would be."""
    top = Path(tempfile.mkdtemp(prefix="who-says-so-harness-"))
    top.chmod(0o755)
    autograder = Path(shutil.copytree(installed, top / "autograder", symlinks=True))
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(autograder)], check=True)
    yield autograder
    shutil.rmtree(top, ignore_errors=True)


def _grade(autograder: Path, notebook: dict[str, Any] | None, *, user: int | None,
           tmp: Path) -> tuple[dict[str, Any], str]:
    """Put *notebook* in submission/, run run_autograder; (results.json, what it printed)."""
    submission = autograder / "submission"
    for old in submission.iterdir():
        old.unlink()
    if notebook is not None:
        (submission / NOTEBOOK).write_text(json.dumps(notebook), "utf-8")
    refused = tmp / "no-namespaces"
    refused.mkdir(exist_ok=True)
    _script(refused / "unshare", REFUSED_UNSHARE)
    command = [str(autograder / "run_autograder")]
    if user is not None:
        if notebook is not None:
            shutil.chown(submission / NOTEBOOK, user, user)
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--", *command]
    # An ordinary container refuses new namespaces, so bubblewrap cannot start there: the switch
    # stands for that refusal (the sandbox's probe would find it), and so does the refusing unshare.
    env = _clean_env(f"{refused}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin") | {"HOME": "/nonexistent",
                                                                                 SWITCH: "0"}
    run = subprocess.run(command, cwd=autograder, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((autograder / "results" / "results.json").read_text("utf-8")), run.stdout


def _task_points(results: dict[str, Any]) -> dict[int, float]:
    points: dict[int, float] = {}
    for test in results["tests"]:
        if "score" in test:
            task = int(test["number"].split(".")[0])
            points[task] = points.get(task, 0) + test["score"]
    return points


@pytest.mark.parametrize("who", ["root without namespaces", "another user"])
@pytest.mark.parametrize("name", ["reference", "untouched", "wrong"])
def test_run_autograder_scores_as_course_grade_does(
    installed: Path, as_nobody: Path, submissions: dict[str, dict[str, Any]],
    course_grade_scores: dict[str, dict[int, float]], name: str, who: str, tmp_path: Path,
) -> None:
    root = who == "root without namespaces"
    results, printed = _grade(installed if root else as_nobody, submissions[name], user=None if root else NOBODY,
                              tmp=tmp_path)
    assert results["extra_data"]["isolation"].startswith(USER_ONLY if root else LIMITS_ONLY)
    assert _task_points(results) == course_grade_scores[name]
    assert results["score"] == sum(course_grade_scores[name].values())
    possible = sum(t.get("max_score", 0) for t in results["tests"])
    assert possible == results["extra_data"]["auto_points"] > 0
    if name == "reference":
        assert results["score"] == possible
        assert not results["extra_data"]["problems"]
    if name == "untouched":
        assert results["score"] == 0
        assert "still the empty starting version" in results["tests"][0]["output"]
    hidden = [t for t in results["tests"] if t["name"].endswith("hidden checks")]
    assert hidden and {t["visibility"] for t in hidden} == {"after_due_date"}
    assert {t["visibility"] for t in results["tests"] if t not in hidden} == {"visible"}
    assert [t["tags"] for t in results["tests"] if "tags" in t] == [["pending manual grading"]]
    assert f"graded: {results['score']:g} of {possible:g} automatic points" in printed


def test_the_submission_cannot_read_the_hidden_cases_when_namespaces_are_refused(
    installed: Path, submissions: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    hidden = installed / "source" / "exercise" / "hidden-cases.yaml"
    snooping = with_cell(submissions["reference"], f"print(open({str(hidden)!r}).read()[:100])\n")
    results, _ = _grade(installed, snooping, user=None, tmp=tmp_path)
    assert results["extra_data"]["isolation"].startswith(USER_ONLY)
    assert any("raised PermissionError" in problem for problem in results["extra_data"]["problems"])
    assert results["score"] == results["extra_data"]["auto_points"], "the rest is graded as usual"


def test_a_submission_without_a_notebook_is_the_students_problem_not_the_graders(installed: Path, tmp_path: Path) -> None:
    results, _ = _grade(installed, None, user=None, tmp=tmp_path)
    assert results["score"] == 0 and results["output"] != GRADER_PROBLEM
    assert any("provenance.ipynb: the notebook does not exist" in p for p in results["extra_data"]["problems"]), results


@pytest.fixture
def broken_copy(installed: Path) -> Iterator[Path]:
    top = Path(tempfile.mkdtemp(prefix="who-says-so-harness-"))
    top.chmod(0o755)
    yield Path(shutil.copytree(installed, top / "autograder", symlinks=True))
    shutil.rmtree(top, ignore_errors=True)


def test_a_grader_failure_gives_a_zero_score_result_that_says_so(
    broken_copy: Path, submissions: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    (broken_copy / "source" / "exercise" / "hidden-cases.yaml").write_text("exercise: [unclosed\n", "utf-8")
    results, printed = _grade(broken_copy, submissions["reference"], user=None, tmp=tmp_path)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == GRADER_PROBLEM
    assert "hidden-cases.yaml" in results["extra_data"]["grader_problem"]
    assert "who-says-so: GRADER PROBLEM (not the student's work)" in printed


def test_a_broken_environment_still_gives_a_valid_results_file(
    broken_copy: Path, submissions: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    shutil.rmtree(broken_copy / "source" / "venv")
    results, printed = _grade(broken_copy, submissions["reference"], user=None, tmp=tmp_path)
    assert results["score"] == 0 and results["output"] == GRADER_PROBLEM
    assert "run_autograder: GRADER PROBLEM (not the student's work)" in printed
