"""The source pack: short documents about the story, for the tracing lesson and exercise 07.

``data/source-pack.yaml`` (and its copy in the exercise folder) follows
``schemas/source-pack.schema.json``. :func:`load_source_pack` reads it through
:func:`autograder.datafiles.read_yaml`, then checks what a schema cannot: the ids
are unique, every ``based_on`` names a document of the pack, each date is a real
day, and a ``text_file`` exists beside the pack.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from .datafiles import DataFileError, line_of, read_yaml

__all__ = ["PackDocument", "SourcePack", "load_source_pack"]


@dataclass(frozen=True, kw_only=True)
class PackDocument:
    """One document of the pack, with its text read in (from ``text_file`` where it names one)."""

    id: str
    outlet: str
    kind: str
    published: datetime.date
    date_known: bool
    reported_in: tuple[str, ...]
    certainty: str
    text: str
    time: str | None = None
    author: str | None = None
    headline: str | None = None
    based_on: str | None = None
    based_on_certainty: str | None = None
    note: str | None = None
    text_file: str | None = None


@dataclass(frozen=True, kw_only=True)
class SourcePack:
    """The pack's notice (a teaching reconstruction, not the outlets' texts) and its documents, in file order."""

    path: Path
    notice: str
    documents: tuple[PackDocument, ...]

    def document(self, doc_id: str) -> PackDocument:
        """The document called *doc_id*; KeyError naming the ids there are, if none."""
        for document in self.documents:
            if document.id == doc_id:
                return document
        raise KeyError(f"no document {doc_id!r} in {self.path}; the ids are: {', '.join(d.id for d in self.documents)}")


def load_source_pack(path: Path) -> SourcePack:
    """Read and check the source pack at *path*; a DataFileError names the file, the line and the fault."""
    data, root = read_yaml(path, "source-pack")
    ids = [entry["id"] for entry in data["documents"]]
    documents = []
    for index, entry in enumerate(data["documents"]):
        where: list[str | int] = ["documents", index]
        if entry["id"] in ids[:index]:
            raise DataFileError(path, f"the id {entry['id']!r} is used twice", line=line_of(root, [*where, "id"]))
        based_on = entry.get("based_on")
        if based_on is not None and based_on not in ids:
            raise DataFileError(
                path, f"{entry['id']}: based_on names {based_on!r}, which is not an id of the pack",
                line=line_of(root, [*where, "based_on"]),
            )
        try:
            published = datetime.date.fromisoformat(entry["date"])
        except ValueError:
            raise DataFileError(
                path, f"{entry['id']}: the date {entry['date']!r} is not a day of the calendar",
                line=line_of(root, [*where, "date"]),
            ) from None
        if "text_file" in entry:
            text_path = path.parent / entry["text_file"]
            try:
                text = text_path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise DataFileError(
                    path, f"{entry['id']}: text_file {entry['text_file']!r} cannot be read as UTF-8 text beside the pack",
                    line=line_of(root, [*where, "text_file"]),
                ) from None
        else:
            text = entry["text"]
        documents.append(
            PackDocument(
                id=entry["id"], outlet=entry["outlet"], kind=entry["kind"], published=published,
                date_known=entry["date_known"], reported_in=tuple(entry["reported_in"]),
                certainty=entry["certainty"], text=text, time=entry.get("time"), author=entry.get("author"),
                headline=entry.get("headline"), based_on=based_on,
                based_on_certainty=entry.get("based_on_certainty"), note=entry.get("note"),
                text_file=entry.get("text_file"),
            )
        )
    return SourcePack(path=path, notice=data["notice"], documents=tuple(documents))
