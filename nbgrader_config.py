"""nbgrader's configuration for this course: run nbgrader's commands from this folder.

solutions/ is nbgrader's source directory and exercises/ its release directory
(see autograder/layout.py). Hidden check cases and the instructors' notes of
each exercise stay in solutions/: they are never copied into a release.
"""

from autograder.nbgrader_bridge.config import configure

c = get_config()  # noqa: F821 (nbgrader provides get_config)
configure(c)
