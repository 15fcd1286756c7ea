"""The dates and numbers the lessons state about the story are in data/facts.yaml, and that table
agrees with the course's case notes and with the article."""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.datafiles import DataFileError, read_yaml

from .conftest import ROOT

FACTS, _ = read_yaml(ROOT / "data" / "facts.yaml", "facts")
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
MONTH = (r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
# "7 April 2017", "Mon 15 May", "16 to 19 May 2017", "16–19 May"
DAY_MONTH = re.compile(WEEKDAY + r"\b(?P<day>\d{1,2})(?:\s*(?:–|-|to)\s*(?P<last>\d{1,2}))?\s+" + MONTH
                       + r"(?:\s+(?P<year>\d{4}))?")
# "September 2011", "May 2017"
MONTH_YEAR = re.compile(r"\b" + MONTH + r"\s+(?P<year>\d{4})\b")
# "May 16", the American order
MONTH_DAY = re.compile(r"\b" + MONTH + r"\s+(?P<day>\d{1,2})\b(?!,?\s*\d{4})")
YEAR = re.compile(r"(?<![\w.,/-])(?P<year>(?:19|20)\d\d)(?![\w,/]|\.\d)")
NUMBER = re.compile(r"(?<![\w.,/–-])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.,/–-])\d+(?:\.\d+)?(?![\w,/]|\.\d)")

# Numbers that are about the course, not about the story, when a word before them says so:
# "lesson 03", "section 4", "line 19", "lines 12 and 13", "exercise 01", "task 2", "Practice 3".
COURSE_WORDS = re.compile(
    r"(?i)\b(?:lessons?|exercises?|sections?|practice|tasks?|lines?|steps?|points?|rules?|moves?|round"
    r"|cells?|parts?|columns?|rows?|questions?|checks?|items?|weekday|number|numbers|index|grades?"
    r"|sentences?|scale|code|level)\s+(?:\d+\s*(?:,|and|or|to|–|-)\s*)*\d+\b")
# "about 25 hours", "150 words": amounts of the course's own time and length
COURSE_AMOUNTS = re.compile(r"\b\d+(?:–\d+)?\s+(?:hours?|words)\b")
ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
OVERVIEW = re.compile(r"\*\*(?:Teaching|Practice):\*\*\s*\d+\s*min(?:utes)?")
LIST_MARKER = re.compile(r"(?m)^\s*(?:#+\s*)?\d+\.\s")      # "1. ", "## 8. "
COURSE_NUMBER = re.compile(r"(?<![\w.,])0\d(?!\w)")            # "00 to 06", "| 03 |": lessons and exercises

# Numbers a lesson may state that are not facts about the story. Each entry says why.
NOT_ABOUT_THE_STORY: dict[str, str] = {
    "0": "Python's weekday numbers and counts in examples",
    "1": "counting in examples, grades of the Admiralty code",
    "2": "counting in examples, grades of the Admiralty code",
    "3": "counting in examples, grades of the Admiralty code",
    "4": "counting in examples, grades of the Admiralty code",
    "5": "counting in examples, grades of the Admiralty code",
    "6": "counting in examples, grades of the Admiralty code (1 to 6)",
    "7": "days in a week",
    "3.5": "a decimal in the sentence-splitting examples",
    "2511": "NATO's STANAG 2511, the Admiralty code",
    "2010": "the CoNLL-2010 shared task",
    "3.0": "the PARC 3.0 corpus",
    "23": "lines in the captured file",
    "12": "lines with text in the captured file",
    "14": "sentences of the story, without the headline",
    "15": "sentences of the article, with the headline",
    "100": "per cent",
    "180": "words",
}


# Values one lesson states that are worked examples, not facts about the story. Each says why.
WORKED_EXAMPLES: dict[str, dict[str, str]] = {
    "01-provenance": {
        "date 21-05|": "the end of the week tried in the weekday arithmetic (15 to 21 May)",
        "month 2017-06": "the end of the figure's time axis",
        "date 18-05|2017": "a supposed publication date in Practice 2",
        "date 22-05|2017": "a supposed publication date in Practice 2",
        "date 10-01|2018": "a supposed publication date in Practice 2",
        "date 01-12|2017": "the answer to Practice 2: the month before January 2018",
        "date 31-12|2017": "the answer to Practice 2: the month before January 2018",
        "month 2017-12": "the answer to Practice 2: the month before January 2018",
        "month 2018-01": "the supposed publication month in Practice 2 and its follow-up",
    },
    "04-sources": {
        "number 8": "mentions of sources counted in the article",
    },
    "05-evidence": {
        "number 11300": "a computed upper limit in Practice 2",
        "number 22500": "a computed upper limit in Practice 2",
        "number 5.0": "exercise 05's least supporting weight for \"well supported\" (WELL_SUPPORTED_WEIGHT)",
    },
    "06-capstone": {
        "number 10": "minutes of an instructor's timing, and sentences counted in agreement",
    },
}


def _facts_dates() -> set[str]:
    """The dates of the facts, and of the sources the lessons cite, with their months and years."""
    dates: set[str] = set()
    cited = [source["date"] for source in FACTS["sources"] if source["date"] != "unknown"]
    for fact in [*FACTS["facts"], {"dates": cited}]:
        for when in fact.get("dates", []):
            dates.add(when)
            dates.add(when[:7])   # a day's month
            dates.add(when[:4])   # and its year
    return dates


def _facts_numbers() -> set[str]:
    return {_plain(n) for fact in FACTS["facts"] for n in fact.get("numbers", [])}


def _plain(number: str) -> str:
    return number.replace(",", "")


def _month(name: str) -> int:
    return next(i for i, month in enumerate(MONTHS, start=1) if month.startswith(name.lower().rstrip(".")[:3]))


def _texts(path: Path) -> Iterator[tuple[int, str]]:
    """(cell index, text) for the prose of a lesson: markdown cells without code, and sentence-like strings in code."""
    notebook = json.loads(path.read_text("utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            prose = re.sub(r"```.*?```", " ", source, flags=re.DOTALL)   # code blocks in answers
            prose = re.sub(r"`[^`]*`", " ", prose)                        # inline code
            prose = re.sub(r"\([a-z]+://[^)]*\)", " ", prose)             # link targets
            yield index, prose
        elif cell["cell_type"] == "code":
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            skip = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    if len(node.value.split()) >= 4:               # a phrase or a sentence, not a pattern
                        yield index, node.value


def stated_numbers(path: Path) -> list[tuple[str, str, str]]:
    """(kind, value, context) for every date, year and number stated in the lesson's prose."""
    found: list[tuple[str, str, str]] = []
    for index, text in _texts(path):
        text = OVERVIEW.sub(" ", text)
        text = LIST_MARKER.sub(" ", text)
        text = COURSE_NUMBER.sub(" ", text)
        text = COURSE_WORDS.sub(" ", text)
        text = COURSE_AMOUNTS.sub(" ", text)

        def context(match: re.Match[str], text: str = text, index: int = index) -> str:
            return f"cell {index}: …{text[max(0, match.start() - 40): match.end() + 30]}…".replace("\n", " ")

        for match in ISO_DATE.finditer(text):
            found.append(("date", f"{match['day']}-{match['month']}|{match['year']}", context(match)))
        text = ISO_DATE.sub(" ", text)
        for match in DAY_MONTH.finditer(text):
            month = _month(match["month"])
            for day in filter(None, [match["day"], match["last"]]):
                found.append(("date", f"{int(day):02d}-{month:02d}|{match['year'] or ''}", context(match)))
        text = DAY_MONTH.sub(" ", text)
        for match in MONTH_DAY.finditer(text):
            found.append(("date", f"{int(match['day']):02d}-{_month(match['month']):02d}|", context(match)))
        text = MONTH_DAY.sub(" ", text)
        for match in MONTH_YEAR.finditer(text):
            found.append(("month", f"{match['year']}-{_month(match['month']):02d}", context(match)))
        text = MONTH_YEAR.sub(" ", text)
        for match in YEAR.finditer(text):
            found.append(("year", match["year"], context(match)))
        text = YEAR.sub(" ", text)
        for match in NUMBER.finditer(text):
            found.append(("number", _plain(match.group()), context(match)))
    return found


def unlisted(path: Path, dates: set[str], numbers: set[str]) -> list[str]:
    """What the lesson states that is neither in the facts table nor allowed as not about the story."""
    problems = []
    examples = WORKED_EXAMPLES.get(path.stem, {})
    for kind, value, where in stated_numbers(path):
        if f"{kind} {value}" in examples:
            continue
        if kind == "date":
            day_month, year = value.split("|")
            day, month = day_month.split("-")
            years = [year] if year else sorted({d[:4] for d in dates if len(d) == 10})
            known = any(f"{y}-{month}-{day}" in dates for y in years)
        elif kind in ("month", "year"):
            known = value in dates
        else:
            known = value in numbers or value in NOT_ABOUT_THE_STORY
        if not known:
            problems.append(f"{kind} {value!r} in {where}")
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_date_and_number_a_lesson_states_is_in_the_facts_table(path: Path) -> None:
    problems = unlisted(path, _facts_dates(), _facts_numbers())
    assert not problems, (
        f"{path.name} states dates or numbers that data/facts.yaml does not list (add the fact with its "
        "sources, or correct the lesson):\n  " + "\n  ".join(problems)
    )


def test_the_check_finds_a_number_that_drifted(tmp_path: Path) -> None:
    """A lesson that says 60 missiles, or 8 April, is caught: the check can fail."""
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [
        "On 8 April 2017 the US fired 60 Tomahawk missiles. In March 2016 nothing happened.\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["note = 'Amnesty interviewed 85 witnesses in all'\n"]}]}
    path = tmp_path / "99-drift.ipynb"
    path.write_text(json.dumps(notebook), "utf-8")
    problems = " ".join(unlisted(path, _facts_dates(), _facts_numbers()))
    for wrong in ["date '08-04|2017'", "number '60'", "month '2016-03'", "number '85'"]:
        assert wrong in problems
    assert "'59'" not in problems


def test_every_fact_cites_sources_the_table_lists() -> None:
    known = {source["id"] for source in FACTS["sources"]}
    assert len(known) == len(FACTS["sources"]), "two sources share an id"
    ids = [fact["id"] for fact in FACTS["facts"]]
    assert len(ids) == len(set(ids)), "two facts share an id"
    for fact in FACTS["facts"]:
        missing = set(fact["sources"]) - known
        assert not missing, f"{fact['id']} cites {sorted(missing)}, which data/facts.yaml does not list"


def test_a_broken_facts_table_is_refused_with_file_and_line(tmp_path: Path) -> None:
    text = (ROOT / "data" / "facts.yaml").read_text("utf-8").replace("status: C1", "status: certain", 1)
    broken = tmp_path / "facts.yaml"
    broken.write_text(text, "utf-8")
    with pytest.raises(DataFileError) as caught:
        read_yaml(broken, "facts")
    assert "facts.yaml:" in str(caught.value) and "must be one of 'C', 'C1', 'U'" in str(caught.value)


def _case_facts() -> Path:
    return Path(os.environ.get("COURSE_CASE_FACTS", ROOT.parent / "shared" / "case-facts.md"))


def _entries(path: Path) -> list[str]:
    """The entries of case-facts.md: each table row, and each bullet with its continuation lines."""
    entries: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("  ") and entries and entries[-1].startswith("- "):
            entries[-1] += " " + line.strip()
        elif line.strip():
            entries.append(line)
    return entries


def _statuses(line: str) -> set[str]:
    """The certainty marks of one line of case-facts.md: its status column, or its bold marks."""
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    marked = cells[2] if line.lstrip().startswith("|") and len(cells) >= 3 else " ".join(re.findall(r"\*\*(C1|C|U)\*\*", line))
    marked += " " + " ".join(re.findall(r"\b(C1)\)", line))
    return set(re.findall(r"\b(C1|C|U)\b", marked))


def _numbers_in(line: str) -> set[str]:
    return {_plain(n) for n in re.findall(r"\d[\d,/]*\d|\d", line)}


def _dates_in(line: str) -> set[str]:
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}", line))
    for month, _, last in re.findall(r"(\d{4}-\d{2}-)(\d{2}) to (\d{2})", line):
        found.add(month + last)
    months = {m[:3]: i for i, m in enumerate(MONTHS, start=1)}
    for name, year in re.findall(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})", line):
        found.add(f"{year}-{months[name.lower()]:02d}")
    for name, year in re.findall(r"from (March|September) (\d{4})", line):
        found.add(f"{year}-{months[name[:3].lower()]:02d}")
    return found


@pytest.mark.parametrize("fact", [f for f in FACTS["facts"] if "case_facts" in f], ids=lambda f: f["id"])
def test_each_fact_agrees_with_its_line_of_the_case_notes(fact: dict[str, Any]) -> None:
    path = _case_facts()
    if not path.is_file():
        pytest.skip(f"the course's case notes are not beside this checkout ({path}); set COURSE_CASE_FACTS to check")
    lines = [entry for entry in _entries(path) if fact["case_facts"] in entry]
    assert len(lines) == 1, f"{fact['id']}: {fact['case_facts']!r} is in {len(lines)} entries of {path.name}; expected 1"
    line = lines[0]
    assert fact["status"] in _statuses(line), f"{fact['id']}: status {fact['status']}, but {path.name} says: {line}"
    numbers = _numbers_in(line)
    for number in fact.get("numbers", []):
        assert _plain(number) in numbers, f"{fact['id']}: {number} is not on its line of {path.name}: {line}"
    dates = _dates_in(line)
    for when in fact.get("dates", []):
        assert any(date.startswith(when) for date in dates), (
            f"{fact['id']}: {when} is not on its line of {path.name}: {line}")


@pytest.mark.parametrize("fact", [f for f in FACTS["facts"] if "in_article" in f], ids=lambda f: f["id"])
def test_each_fact_about_the_article_quotes_it(fact: dict[str, Any]) -> None:
    article = (ROOT / "data" / "article.txt").read_text("utf-8")
    assert fact["in_article"] in article, f"{fact['id']}: {fact['in_article']!r} is not in data/article.txt"
    for number in fact.get("numbers", []) + fact.get("dates", []):
        assert number in fact["in_article"], f"{fact['id']}: {number} is not in {fact['in_article']!r}"


def test_every_timeline_row_and_provenance_note_of_the_case_notes_has_a_fact() -> None:
    path = _case_facts()
    if not path.is_file():
        pytest.skip(f"the course's case notes are not beside this checkout ({path}); set COURSE_CASE_FACTS to check")
    section, wanted = "", []
    for entry in _entries(path):
        if entry.startswith("## "):
            section = entry
        elif section in ("## Timeline", "## Provenance of the text"):
            if entry.startswith("- ") or re.match(r"\| (?:\d{4}|after)", entry):
                wanted.append(entry)
    phrases = [fact["case_facts"] for fact in FACTS["facts"] if "case_facts" in fact]
    missing = [entry[:90] for entry in wanted if not any(phrase in entry for phrase in phrases)]
    assert len(wanted) >= 15 and not missing, f"data/facts.yaml has no fact for: {missing}"
