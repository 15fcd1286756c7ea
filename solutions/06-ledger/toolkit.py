"""The course's reference versions of the functions of exercises 01 to 03, released with the capstone.

Exercise 06-ledger builds a verification ledger from the functions you wrote in exercises
01-provenance, 02-attribution and 03-statements. So that everyone starts the capstone from the
same, correct code, this file gives away the course's reference solutions of those three
exercises, on purpose. Instructors release the capstone only after exercises 01 to 03 are graded.

Each constant and function below is copied exactly from the reference solution of its exercise,
with its docstring: read a docstring to know exactly what a function returns. Nothing here reads a
file or keeps any state, so you can import any name from it:

    from toolkit import split_sentences, strip_boilerplate

Exercise 01 · Provenance: strip_boilerplate, split_sentences, resolve_relative_date.
Exercise 02 · Attribution: Attribution, is_apostrophe, extract_quotes, clean_source, source_before,
source_after, find_attribution, verb_stance.
Exercise 03 · Statements: cue_matches, hedges, is_negated, boosters, classify_statement.

Comments and docstrings keep the wording of their exercise: "the setup cell" and "Task 2" there
mean that exercise's setup cell and task.
"""

import re
from datetime import date, timedelta
from typing import NamedTuple

__all__ = [
    # exercise 01
    "ABBREVIATIONS", "FURNITURE_LINES", "FURNITURE_PREFIXES", "MONTHS", "WEEKDAYS",
    "resolve_relative_date", "split_sentences", "strip_boilerplate",
    # exercise 02
    "APPOSITIVE_STARTS", "Attribution", "CHANNELS", "QUOTE_PAIRS", "REPORTING_VERBS", "SOURCE_ENDS",
    "SOURCE_STARTS", "SOURCE_STOPS", "STANCES", "clean_source", "extract_quotes", "find_attribution",
    "is_apostrophe", "source_after", "source_before", "verb_stance",
    # exercise 03
    "APPROXIMATORS", "ATTRIBUTION_CUES", "BOOSTER_CUES", "DENIAL_CUES", "HEDGE_CUES", "KINDS", "NEGATIONS",
    "boosters", "classify_statement", "cue_matches", "hedges", "is_negated",
]


# ==================================================================================================
# Exercise 01 · Provenance: clean the copy, split it, date it (the setup cell's lists, then tasks 1-3)
# ==================================================================================================

# Task 1: lines that are web-page furniture (compared in lower case, without surrounding spaces).
# Task 2: words whose full stop does not end a sentence (compared in lower case).
# Task 3: the names of days (Monday first, as date.weekday() counts) and of months.
FURNITURE_LINES = (
    "leave a reply", "leave a comment", "share this", "like this", "related", "related posts",
    "comments", "advertisement", "print", "email",
)
FURNITURE_PREFIXES = (
    "this site uses akismet", "posted in ", "filed under ", "tagged ", "tags:", "click to share",
    "share on ", "subscribe to ", "sign up for ", "copyright ", "©", "all rights reserved",
    "your email address will not be published", "you must be logged in",
)
ABBREVIATIONS = (
    "u.s.", "u.k.", "u.n.", "mr.", "mrs.", "ms.", "dr.", "gen.", "col.", "lt.", "sgt.", "st.",
    "gov.", "sen.", "rep.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.",
    "sept.", "oct.", "nov.", "dec.", "vs.",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")


def strip_boilerplate(text: str) -> str:
    """Return the story in *text* without the web page's furniture.

    A line is furniture when its text, without the spaces around it and in
    lower case, either is one of FURNITURE_LINES (a ':' or '.' at its end is
    ignored) or starts with one of FURNITURE_PREFIXES. Furniture lines are
    dropped; every other line is kept exactly as it is, in order. Then each
    run of blank lines (empty, or spaces only) becomes one empty line, and
    blank lines at the start and at the end are dropped. The lines are joined
    with "\\n", with no line break at the end. Text with no story left gives "".
    """
    kept: list[str] = []
    for line in text.splitlines():
        words = line.strip().lower()
        if words.rstrip(":.") in FURNITURE_LINES or words.startswith(FURNITURE_PREFIXES):
            continue
        if not words:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return "\n".join(kept)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of *text*, in order.

    1. A blank line (empty, or spaces only) ends a paragraph, and a sentence
       never runs from one paragraph into the next.
    2. Inside a paragraph, every run of spaces, tabs and line breaks counts as
       one space, and the paragraph's ends are stripped.
    3. A sentence ends after ".", "!" or "?" (with any closing quotation marks
       ” " ’ ' and closing brackets ")" straight after it) when what follows is
       the end of the paragraph, or a space and then a capital letter A-Z, a
       digit, an opening quotation mark “ " ‘ ' or an opening bracket "(".
    4. A full stop does not end a sentence when the word it finishes (without
       any quotation mark or bracket before it) is, in lower case, one of
       ABBREVIATIONS, or is a single capital letter (an initial: "George W. Bush").
    5. Each sentence is returned without spaces around it; empty ones are left out.
    """
    sentence_end = re.compile(r"""[.!?]['"’”)]*(?=\s['"“‘(0-9A-Z]|$)""")
    sentences: list[str] = []
    for paragraph in re.split(r"\n[ \t]*(?:\n|$)", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in sentence_end.finditer(paragraph):
            if match.group().startswith("."):
                word = paragraph[: match.start() + 1].rsplit(" ", 1)[-1].lstrip("'\"“‘(")
                if word.lower() in ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", word):
                    continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if sentence]


def resolve_relative_date(phrase: str, published: date) -> tuple[date, date]:
    """Return the first and last day (both included) that *phrase* means in a text published on *published*.

    The phrase is read in lower case, with the spaces around it removed and
    each run of spaces inside it counted as one. It may be:

    - "today" or "yesterday": that one day;
    - a day name, alone or after "on" ("on monday"): the latest such day on or
      before *published* (so "on Tuesday" in a paper of a Tuesday is that day);
    - "last week": Monday to Sunday of the week before the week of *published*;
    - "last month": the whole calendar month before the month of *published*;
    - "last year": 1 January to 31 December of the year before;
    - a month name, alone or after "in" ("in february"): the whole of the latest
      such month that begins on or before *published*;
    - a year of four digits, alone or after "in" ("in 2013"): that whole year.

    Any other phrase raises ValueError.
    """
    words = " ".join(phrase.lower().split())
    if words == "today":
        return published, published
    if words == "yesterday":
        day = published - timedelta(days=1)
        return day, day
    if words == "last week":
        this_monday = published - timedelta(days=published.weekday())
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    if words == "last month":
        last_day = published.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    if words == "last year":
        return date(published.year - 1, 1, 1), date(published.year - 1, 12, 31)
    name = words.removeprefix("on ")
    if name in WEEKDAYS:
        day = published - timedelta(days=(published.weekday() - WEEKDAYS.index(name)) % 7)
        return day, day
    name = words.removeprefix("in ")
    if name in MONTHS:
        month = MONTHS.index(name) + 1
        year = published.year if month <= published.month else published.year - 1
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return first, following - timedelta(days=1)
    if re.fullmatch(r"[0-9]{4}", name):
        return date(int(name), 1, 1), date(int(name), 12, 31)
    raise ValueError(f"I do not know how to read the date phrase {phrase!r}")


# ==================================================================================================
# Exercise 02 · Attribution: find the quotes, the source and the verb (setup cell, then tasks 1-7)
# ==================================================================================================

# Task 2: each opening quotation mark, and the mark that closes it.
QUOTE_PAIRS = {"“": "”", '"': '"', "‘": "’", "'": "'"}

# Tasks 3 to 6: what find_attribution returns, and the word lists its rules use (compared in lower case).
# Task 7: the stance of each reporting word in the table STANCES.
class Attribution(NamedTuple):
    """Who is credited with a claim (source) and the reporting word the writer chose (verb)."""

    source: str
    verb: str


# Task 6: reporting verbs, as they are written in a sentence (compared in lower case). The list
# starts from textacy's list of reporting verbs (say, tell, deny, accuse, claim, describe,
# according, allege, blame, add, warn, announce, confirm, …) and keeps the forms that are almost
# always verbs: "claims", "reports" and "states" are often nouns, "alleged" often an adjective.
REPORTING_VERBS = (
    "said", "says", "say", "told", "tells",
    "denied", "denies", "deny",
    "accused", "accuses", "accuse",
    "claimed", "described", "describes", "alleges",
    "blamed", "blames", "added", "warned", "announced", "confirmed",
)
# Characters that end a source: a source never runs across one of them.
SOURCE_STOPS = ",;:!?()—"
# First words of an appositive, the description between two stops in "Stuart Jones, the senior
# US diplomat for the Middle East, said": it describes the source but is not its name.
APPOSITIVE_STARTS = ("the", "a", "an", "who", "which")
# Words a source stops before (helping verbs, and "that", "which", "who" that start a clause).
SOURCE_ENDS = ("has", "have", "had", "is", "are", "was", "were", "do", "does", "did",
               "that", "which", "who")
# Words that start a new clause: a source before its verb starts after the last of them.
SOURCE_STARTS = ("what", "when", "where", "while", "after", "before", "as", "because",
                 "although", "though", "since", "if", "but")
# Documents that carry a source's words: in "a statement from the Foreign Ministry" the
# statement is the channel and the Foreign Ministry is the source.
CHANNELS = ("statement", "report", "letter", "document", "transcript")

# Task 7: the stance of reporting words (keys in lower case, with single spaces), as lesson 2
# teaches it. "described" is neutral, but "what it described as" keeps its distance. "claimed"
# is distancing: it casts doubt on the speaker. The nouns
# "accusation(s)" and "allegation(s)" are not cues, but they point the accusing way.
STANCES = {
    # neutral: passes the claim on, no judgement
    "said": "neutral", "says": "neutral", "say": "neutral", "told": "neutral", "tells": "neutral",
    "according to": "neutral", "described": "neutral", "describes": "neutral",
    "added": "neutral", "warned": "neutral", "announced": "neutral", "confirmed": "neutral",
    "noted": "neutral", "noting": "neutral",
    # accusing: the source charges someone with wrongdoing
    "accused": "accusing", "accuses": "accusing", "accuse": "accusing", "accusing": "accusing",
    "blamed": "accusing", "blames": "accusing", "blame": "accusing", "blaming": "accusing",
    "alleged": "accusing", "alleges": "accusing", "allege": "accusing", "alleging": "accusing",
    "accusation": "accusing", "accusations": "accusing",
    "allegation": "accusing", "allegations": "accusing",
    # denying: the source rejects a claim
    "denied": "denying", "denies": "denying", "deny": "denying", "denying": "denying",
    "rejected": "denying", "rejects": "denying", "dismissed": "denying", "dismisses": "denying",
    # distancing: the writer (or speaker) holds a label or a claim at arm's length
    "claimed": "distancing", "claims": "distancing", "claim": "distancing",
    "claiming": "distancing",
    "so-called": "distancing", "what it called": "distancing", "what it described as": "distancing",
}


def is_apostrophe(sentence: str, index: int) -> bool:
    """Return True when the character of *sentence* at *index* is an apostrophe.

    It is an apostrophe when it is ’ or ' and the characters straight before
    it and straight after it are both word characters: letters, digits or
    "_" (a character c for which c.isalnum() is True, or c == "_"), as in
    "Assad’s" and "don't". At the first and the last index there is no
    character on one side, so the answer there is False. Any other character
    at *index* (“ ” " ‘ or a letter, say) gives False.
    """
    if sentence[index] not in "’'":
        return False
    if index == 0 or index == len(sentence) - 1:
        return False  # no character on one side
    before, after = sentence[index - 1], sentence[index + 1]
    return (before.isalnum() or before == "_") and (after.isalnum() or after == "_")


def extract_quotes(sentence: str) -> list[str]:
    """Return the text inside each quotation in *sentence*, in order of appearance.

    The opening marks are the keys of QUOTE_PAIRS (“ " ‘ '), and each one's
    value is the mark that closes it (” " ’ '). A ’ or ' at an index where
    is_apostrophe (task 1) is True is never a quotation mark, opening or
    closing.

    Read the sentence from left to right. At an opening mark, the quotation
    runs to the first closing mark of its pair after it, and reading goes on
    after that closing mark. So a quotation inside another one is part of the
    outer one's text, not a quotation of its own. An opening mark with no
    closing mark of its pair after it starts no quotation: reading goes on
    from the next character. A ” or ’ that closes nothing is ignored.

    Each text is returned exactly as it is written between its two marks, not
    stripped: spaces, punctuation and line breaks inside the marks stay, and
    an empty pair gives "". A sentence without quotations gives [].
    """
    quotes = []
    i = 0
    while i < len(sentence):
        closing = QUOTE_PAIRS.get(sentence[i])
        if closing is not None and not is_apostrophe(sentence, i):
            j = i + 1
            while j < len(sentence) and (sentence[j] != closing or is_apostrophe(sentence, j)):
                j += 1
            if j < len(sentence):  # found its closing mark
                quotes.append(sentence[i + 1 : j])
                i = j + 1
                continue
        i += 1
    return quotes


def clean_source(words: list[str]) -> str:
    """Return the source that the list *words* names, as one string.

    If a word of CHANNELS is followed by "from" or "by" (both compared in
    lower case), keep only the words after the first such pair: in "a
    statement from the Foreign Ministry" the statement is the channel and
    the Foreign Ministry the source. Then join the words with single spaces
    and remove spaces and quotation marks (“ ” " ‘ ’ ') from both ends. An
    empty list gives "".
    """
    for i in range(len(words) - 1):
        if words[i].lower() in CHANNELS and words[i + 1].lower() in ("from", "by"):
            words = words[i + 2 :]
            break
    return " ".join(words).strip(" “”\"‘’'")


def source_before(piece: str) -> str:
    """Return the source in *piece*, the text just before a cue.

    Split *piece* into words with piece.split(). Keep the words before its
    first word that is, in lower case, one of SOURCE_ENDS ("has", "that",
    …). Of those, keep only the words after the last one that is, in lower
    case, one of SOURCE_STARTS ("after", "when", …). Return clean_source of
    the words that are left (task 3). A piece with no words gives "".
    """
    words = piece.split()
    ends = [i for i, word in enumerate(words) if word.lower() in SOURCE_ENDS]
    if ends:
        words = words[: ends[0]]
    starts = [i for i, word in enumerate(words) if word.lower() in SOURCE_STARTS]
    if starts:
        words = words[starts[-1] + 1 :]
    return clean_source(words)


def source_after(text: str) -> str:
    """Return the source in *text*, the text just after a cue.

    Cut *text* at its first character that is in SOURCE_STOPS (, ; : ! ? ( )
    —) or is a double quotation mark (“ ” "), and split what comes before it
    into words with str.split(). Keep the words before the first one that
    is, in lower case, one of SOURCE_ENDS or of SOURCE_STARTS. Return
    clean_source of those words (task 3). Text with no words gives "".
    """
    end = 0
    while end < len(text) and text[end] not in SOURCE_STOPS and text[end] not in "“”\"":
        end += 1
    words = text[:end].split()
    cuts = [i for i, word in enumerate(words) if word.lower() in SOURCE_ENDS or word.lower() in SOURCE_STARTS]
    if cuts:
        words = words[: cuts[0]]
    return clean_source(words)


def find_attribution(sentence: str) -> Attribution | None:
    """Return the source that *sentence* credits and its reporting word, or None.

    Tidy the sentence first, " ".join(sentence.split()), and remove one full
    stop at its very end. Cues are "according to" and the words of
    REPORTING_VERBS, as whole words in any case. A cue counts only when an even number of double quotation marks
    (“ ” ") comes before it. Try the counted cues from left to right: return
    Attribution(source, the cue as written) for the first whose source is
    not "", else None.

    Split the text before the cue into pieces at each character of
    SOURCE_STOPS. The first rule that fits gives the source:
    1. the cue is "according to": source_after(the text after the cue);
    2. three pieces or more, the last only spaces, the one before it
       starting with a word of APPOSITIVE_STARTS: source_before(the piece
       before those two);
    3. the text before the cue, without spaces at its end, is empty, ends
       with a comma, or ends with ” or " just after a comma, "!" or "?":
       source_after(the text after the cue);
    4. otherwise: source_before(the last piece).
    """
    text = " ".join(sentence.split()).removesuffix(".")
    cues = r"\b(according to|" + "|".join(REPORTING_VERBS) + r")\b"
    for cue in re.finditer(cues, text, re.IGNORECASE):
        before, after = text[: cue.start()], text[cue.end() :]
        if sum(before.count(mark) for mark in '“”"') % 2 == 1:
            continue  # the cue is inside a quotation
        pieces = re.split(f"[{re.escape(SOURCE_STOPS)}]", before)
        appositive = (len(pieces) >= 3 and not pieces[-1].strip() and pieces[-2].split() != []
                      and pieces[-2].split()[0].lower() in APPOSITIVE_STARTS)
        end = before.rstrip()
        inverted = end == "" or end.endswith(",") or (end[-1:] in '”"' and end[-2:-1] in (",", "!", "?"))
        if cue.group().lower() == "according to":
            source = source_after(after)
        elif appositive:
            source = source_before(pieces[-3])
        elif inverted:
            source = source_after(after)
        else:
            source = source_before(pieces[-1])
        if source:
            return Attribution(source, cue.group())
    return None


def verb_stance(verb: str) -> str:
    """Return the stance of a reporting word: "neutral", "accusing", "denying" or "distancing".

    Read *verb* in lower case, with the whitespace around it removed and each
    run of whitespace inside it (what str.split() splits at) counted as one
    space. Then:
    1. a word or phrase that is a key of STANCES gets its stance from there
       ("described" is neutral, "claimed" is distancing);
    2. any other phrase that starts with "what " ("what officials called")
       is "distancing": the writer hands the label back to its source;
    3. anything else, the empty string included, is "neutral".
    """
    words = " ".join(verb.lower().split())
    if words in STANCES:
        return STANCES[words]
    if words.startswith("what "):
        return "distancing"
    return "neutral"


# ==================================================================================================
# Exercise 03 · Statements: hedges, boosters and four kinds of statement (setup cell, then tasks 1-5)
# ==================================================================================================

# The cue lists the rules use. Every cue is in lower case; a space inside a cue stands for any
# whitespace in a sentence. The docstrings of the tasks say exactly how a cue is matched.
# Task 2: hedge cues (words and phrases), and approximators, which count only before a number.
# ("may" is left out on purpose: in news copy it is often the month of May.)
HEDGE_CUES = (
    "alleged", "allegedly", "apparently", "appear", "appears", "believe", "believed", "believes",
    "could", "likely", "might", "perhaps", "possibly", "probably", "reportedly", "seem", "seemed",
    "seems", "suggest", "suggested", "suggests", "suspected", "estimated", "unlikely",
    "unconfirmed", "unproven", "unverified", "consistent with", "do not prove", "does not prove",
    "did not prove", "cannot be verified", "cannot be independently verified",
    "could not be verified", "could not be independently verified",
)
APPROXIMATORS = (
    "about", "almost", "approximately", "around", "nearly", "roughly", "up to", "as many as",
)

# Tasks 3 and 4: boosters, and the words that cancel a booster when they come just before it.
BOOSTER_CUES = (
    "categorically", "certainly", "clearly", "conclusively", "definitely", "indisputably",
    "obviously", "undeniably", "undoubtedly", "unquestionably", "beyond doubt", "no doubt",
    "without doubt", "without a doubt",
)
NEGATIONS = ("not", "never", "cannot")   # and any word that ends in n't or n’t

# Task 5: the kinds, in the order they are tested, and the cues of the first two tests.
KINDS = ("denial", "attributed", "hedged", "unattributed")
DENIAL_CUES = (
    "deny", "denies", "denied", "denying", "denial", "denials", "reject", "rejects", "rejected",
    "rejecting", "refute", "refutes", "refuted", "categorically false",
)
# Reporting verbs and "according to". Left out on purpose: "state" and "states" (mostly nouns:
# "State Department"), "claims" and "report" (often nouns), "accusing" and "blames" (they often
# sit in a side clause, as in s07 and s11; lesson 6 shows what adding them does).
ATTRIBUTION_CUES = (
    "according to", "added", "announced", "claimed", "described", "describes", "explained",
    "insisted", "noted", "reported", "said", "say", "saying", "says", "stated", "tells", "told",
    "wrote",
)


def cue_matches(sentence: str, cue: str) -> list[tuple[int, int]]:
    """Return where *cue* occurs in *sentence*: a list of (start, end) pairs, in order.

    start and end are indexes into *sentence*, so sentence[start:end] is the
    occurrence. These rules say what an occurrence is:

    1. Case is ignored: "Could", "COULD" and "could" all match the cue "could".
    2. Whole words only: the character just before the occurrence and the
       character just after it must not be a letter, a digit or "_" (the start
       and the end of the sentence are fine). So "appear" does not occur in
       "disappeared", and "could" does not occur in "couldn't".
    3. The space between the words of a cue ("consistent with") matches any
       run of whitespace in the sentence: spaces, tabs or line breaks.
    4. Occurrences never overlap: reading from left to right, the search goes
       on after the end of each occurrence it found.

    A cue that does not occur gives [].
    """
    pattern = r"\b" + r"\s+".join(re.escape(word) for word in cue.split()) + r"\b"
    return [match.span() for match in re.finditer(pattern, sentence, flags=re.IGNORECASE)]


def hedges(sentence: str) -> list[str]:
    """Return the hedge cues in *sentence*, in order of appearance, in lower case.

    The cues are HEDGE_CUES and APPROXIMATORS, and each occurrence is found
    with cue_matches (task 1). Then:

    1. An approximator counts only when a number follows it: straight after
       the occurrence come whitespace and then a digit 0-9. So "about 50",
       "as many as 13,000" and "about 45 minutes" count (the rule does not ask
       what is counted), but "about the use" and "about fifty" do not. The
       cues of HEDGE_CUES count wherever they occur.
    2. Every occurrence counts, so a cue can be listed more than once.
    3. Cues never overlap. Reading from left to right, the occurrence that
       starts first is taken; when several start at the same place, the one
       of the longest cue is taken ("could not be verified", not "could").
       An occurrence that starts before the end of the last one taken is
       skipped.

    Each cue is returned as it is written in its list; an approximator
    without its number. A sentence with no cues, and the empty string, give
    [].
    """
    found = []
    for cue in HEDGE_CUES + APPROXIMATORS:
        for start, end in cue_matches(sentence, cue):
            if cue in APPROXIMATORS and not re.match(r"\s+[0-9]", sentence[end:]):
                continue  # an approximator with no number after it
            found.append((start, -len(cue), cue, end))
    found.sort()  # by start; at the same start, the longest cue first
    taken, last_end = [], 0
    for start, _, cue, end in found:
        if start >= last_end:
            taken.append(cue)
            last_end = end
    return taken


def is_negated(sentence: str, start: int) -> bool:
    """Return True when the word just before index *start* of *sentence* negates what follows.

    The text before *start*, sentence[:start], must end with whitespace
    (spaces, tabs or line breaks). The word before that whitespace is the
    last word of sentence[:start].split(). It negates when, in lower case,
    it is one of NEGATIONS ("not", "never", "cannot") or ends in "n't" or
    "n’t" (straight or curly apostrophe).

    So in "do not definitely prove" the start of "definitely" is negated,
    and in "I don’t clearly see" the start of "clearly" is. The start of a
    sentence is never negated, nor is a word straight after a negation with
    no whitespace between them ("not" in "Not clearly" at index 3).
    """
    before = sentence[:start]
    if not before[-1:].isspace():
        return False  # no whitespace just before (or nothing at all)
    word = before.split()[-1].lower()
    return word in NEGATIONS or word.endswith(("n't", "n’t"))


def boosters(sentence: str) -> list[str]:
    """Return the booster cues in *sentence*, in order of appearance, in lower case.

    The cues are BOOSTER_CUES. Find each occurrence with cue_matches (task 1)
    and choose among them as hedges does (task 2): every occurrence counts,
    and cues never overlap (the first to start is taken, and the longest of
    those that start at the same place). There is no number rule.

    One more rule: a booster that is negated, is_negated(sentence, start)
    (task 3), does not count. So "do not definitely prove" and "don't clearly
    show" have no booster: negated certainty is not certainty.

    Each cue is returned as it is written in BOOSTER_CUES (lower case, one
    space between words), in the order they start in the sentence. A
    sentence with no boosters, and the empty string, give [].
    """
    found = []
    for cue in BOOSTER_CUES:
        for start, end in cue_matches(sentence, cue):
            found.append((start, -len(cue), cue, end))
    found.sort()  # by start; at the same start, the longest cue first
    kept, last_end = [], 0
    for start, _, cue, end in found:
        if start >= last_end:
            last_end = end
            if not is_negated(sentence, start):
                kept.append(cue)
    return kept


def classify_statement(sentence: str) -> str:
    """Return the kind of statement *sentence* is, one of KINDS.

    Four tests are tried in this order, and the first one that is true gives
    the answer:

    1. "denial": a cue from DENIAL_CUES occurs in the sentence;
    2. "attributed": a cue from ATTRIBUTION_CUES occurs in the sentence;
    3. "hedged": hedges(sentence) is not empty;
    4. "unattributed": none of the above (the empty string too).

    A cue occurs when cue_matches(sentence, cue) (task 1) finds it: case
    ignored, whole words only, any whitespace between its words ("according
    to" across a line break too). Only the words count, not meaning,
    negation or grammar: "Officials denied reporters access" and "The
    ministry never denied it" are denials, and "State Department" is not an
    attribution ("state" is not a cue). A denial cue decides even when the
    sentence also has an attribution cue or a hedge.
    """
    def occurs(cues: tuple[str, ...]) -> bool:
        return any(cue_matches(sentence, cue) for cue in cues)

    if occurs(DENIAL_CUES):
        return "denial"
    if occurs(ATTRIBUTION_CUES):
        return "attributed"
    if hedges(sentence):
        return "hedged"
    return "unattributed"
