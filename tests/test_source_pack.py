"""The source pack is valid, says what it is, and is the course's own writing apart from the case article."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from autograder.datafiles import DataFileError
from autograder.sourcepack import SourcePack, load_source_pack

from .conftest import ROOT

PACK_PATH = ROOT / "data" / "source-pack.yaml"
RUN = 8
"""How many words in a row a pack text may not share with the article."""


def words(text: str) -> list[str]:
    """The words of *text* in lower case, curly apostrophes made straight, punctuation dropped."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'").replace("‘", "'"))


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


@pytest.fixture(scope="module")
def pack() -> SourcePack:
    return load_source_pack(PACK_PATH)


def test_the_pack_says_it_is_a_teaching_reconstruction(pack: SourcePack) -> None:
    assert "teaching reconstruction" in pack.notice
    assert "not the outlets' texts" in pack.notice
    assert "TEACHING RECONSTRUCTION, NOT THE OUTLETS' TEXTS" in PACK_PATH.read_text("utf-8")


def test_the_blog_copy_is_the_case_article_read_from_its_file(pack: SourcePack) -> None:
    blog = pack.document("blog-copy")
    assert blog.text_file == "article.txt"
    assert blog.text == (ROOT / "data" / "article.txt").read_text("utf-8")
    assert [d.id for d in pack.documents if d.text_file] == ["blog-copy"]


def test_no_other_text_shares_eight_words_in_a_row_with_the_article(pack: SourcePack) -> None:
    article = runs((ROOT / "data" / "article.txt").read_text("utf-8"))
    assert article, "the article should have runs of eight words"
    for document in pack.documents:
        if document.id == "blog-copy":
            continue
        shared = runs(document.text) & article
        assert not shared, f"{document.id} copies the article: {' '.join(sorted(shared)[0])!r}"


def test_the_run_check_would_catch_a_copied_sentence() -> None:
    article = runs((ROOT / "data" / "article.txt").read_text("utf-8"))
    copied = "As the wire put it, TThe meetings are the sixth round of talks brokered by special envoy."
    assert runs(copied) & article


def test_the_pack_holds_the_documents_the_tracing_lesson_uses(pack: SourcePack) -> None:
    outlets = {d.id: d.outlet for d in pack.documents}
    assert 10 <= len(pack.documents) <= 14
    assert outlets["ap-beirut"] == outlets["ap-washington"] == "Associated Press"
    assert pack.document("ap-beirut").author == "Philip Issa and Bassem Mroue"
    assert pack.document("ap-washington").author == "Matthew Lee"
    assert pack.document("state-dept-briefing").published == datetime.date(2017, 5, 15)
    assert pack.document("sana-statement").published == datetime.date(2017, 5, 16)
    assert pack.document("amnesty-report").published == datetime.date(2017, 2, 7)
    assert pack.document("reuters-jones-retires").published == datetime.date(2017, 5, 16)
    assert "‘depraved’" in (pack.document("pa-rewrite").headline or "")
    assert "Jones" in pack.document("the-week").text and "Spicer" in pack.document("al-jazeera").text
    assert any(d.published.year == 2024 for d in pack.documents)


def test_every_link_and_every_unknown_day_is_qualified(pack: SourcePack) -> None:
    for document in pack.documents:
        assert document.certainty in {"C", "C1", "U"}
        if document.based_on:
            assert document.based_on_certainty in {"C", "C1", "U"}
        if not document.date_known:
            assert document.note and "earliest" in document.note, f"{document.id}: say what the date stands for"
    assert pack.document("blog-copy").based_on_certainty == "U"


def test_headlines_are_short_phrases(pack: SourcePack) -> None:
    for document in pack.documents:
        if document.headline:
            assert len(document.headline.split()) <= 12


def test_the_exercise_carries_an_identical_copy_of_the_pack() -> None:
    for folder in ("solutions", "exercises"):
        copy = ROOT / folder / "07-tracing" / "source-pack.yaml"
        assert copy.read_bytes() == PACK_PATH.read_bytes(), f"{copy} differs from data/source-pack.yaml"


def write_pack(tmp_path: Path, documents: str) -> Path:
    path = tmp_path / "source-pack.yaml"
    path.write_text("notice: a teaching reconstruction, not the outlets' texts\ndocuments:\n" + documents, "utf-8")
    return path


ONE = """  - id: {id}
    outlet: The Daily Example
    kind: news
    date: "{date}"
    date_known: true
    reported_in: [example.org]
    certainty: C
    text: A short note.
"""


def test_a_link_to_a_document_that_is_not_in_the_pack_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write_pack(tmp_path, ONE.format(id="a", date="2020-01-01") + "    based_on: b\n    based_on_certainty: C\n")
    with pytest.raises(DataFileError) as error:
        load_source_pack(path)
    assert error.value.line == 11 and "'b'" in str(error.value) and str(path) in str(error.value)


def test_a_repeated_id_and_an_impossible_day_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="used twice"):
        load_source_pack(write_pack(tmp_path, ONE.format(id="a", date="2020-01-01") * 2))
    with pytest.raises(DataFileError, match="not a day of the calendar"):
        load_source_pack(write_pack(tmp_path, ONE.format(id="a", date="2020-02-30")))


def test_a_link_without_its_certainty_breaks_the_schema(tmp_path: Path) -> None:
    path = write_pack(tmp_path, ONE.format(id="a", date="2020-01-01") + ONE.format(id="b", date="2020-01-02")
                      + "    based_on: a\n")
    with pytest.raises(DataFileError, match="based_on_certainty"):
        load_source_pack(path)


def test_the_visible_checks_use_the_pack_as_it_is_in_the_file(pack: SourcePack) -> None:
    """cases.yaml writes the pack out once (&pack); it must be the pack the notebook reads."""
    from autograder.checks import load_suite

    suite = load_suite(ROOT / "solutions" / "07-tracing")
    first = next(case for case in suite.cases if case.id == "pack-first-definitely-prove")
    written = [item["fields"] for item in first.args[0]["$seq"]]
    expected = [
        {"id": d.id, "outlet": d.outlet, "published": {"$date": d.published.isoformat()}, "text": d.text,
         "based_on": d.based_on}
        for d in pack.documents
    ]
    assert written == expected
