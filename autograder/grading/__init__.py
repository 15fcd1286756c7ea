"""The batch grader behind ``course grade``: sandboxed runs in parallel, scores judged outside,
recorded in nbgrader's gradebook.

- :mod:`.submissions` finds submissions (nbgrader's folders, or loose notebooks from an LMS);
- :mod:`.merge` puts the released locked cells back around a submission's answers;
- :mod:`.results` is the results file of one submission (written whole, read to resume);
- :mod:`.grade` grades a class: run, judge, record;
- :mod:`.gradebook` records results in nbgrader's gradebook and autograded notebooks;
- :mod:`.exports` writes CSV, Gradescope results and a Gradescope autograder bundle.
"""
