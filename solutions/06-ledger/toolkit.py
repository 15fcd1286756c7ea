"""A small, plain toolkit for the capstone ledger: simple rules, written for this exercise.

Exercise 06-ledger builds a verification ledger from six functions. They do the jobs of
functions you wrote in exercises 01 to 03 (cleaning the copy, splitting it into sentences,
finding who says so, the stance of the verb, hedges, the kind of statement), but with simpler
rules of their own: they are not the answers to those exercises, and they make mistakes that
your own functions may not. That is on purpose. The ledger shows what these rules see, and the
capstone asks you to find where that differs from what a careful reader sees.

Read a function's docstring to know exactly what it returns: help(find_attribution), or this
file. Nothing here reads a file or keeps any state, so you can import any name from it:

    from toolkit import split_sentences, strip_boilerplate
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = [
    "ATTRIBUTION_WORDS", "Attribution", "DENIAL_WORDS", "FURNITURE_STARTS", "HEDGE_WORDS",
    "REPORTING_VERBS", "STANCES", "classify_statement", "find_attribution", "hedges",
    "split_sentences", "strip_boilerplate", "verb_stance",
]

# Lines that start with one of these (after any spaces) are web-page furniture, not story.
FURNITURE_STARTS = (
    "Leave a Reply", "This site uses Akismet", "Share this", "Like this", "Click to share",
    "Related", "Posted in",
)

# The words that find_attribution looks for, and the stance verb_stance gives each one.
STANCES = {
    "said": "neutral", "says": "neutral", "say": "neutral", "told": "neutral",
    "according to": "neutral", "described": "neutral",
    "denied": "denying", "denies": "denying",
    "accused": "accusing", "blamed": "accusing",
    "claimed": "distancing",
}
REPORTING_VERBS = tuple(STANCES)

# The words that classify_statement looks for.
DENIAL_WORDS = ("denied", "denies", "deny", "rejected", "rejects")
ATTRIBUTION_WORDS = ("said", "says", "say", "told", "according to")
HEDGE_WORDS = ("believes", "could", "might", "as many as", "up to", "about", "consistent with",
               "do not prove")


class Attribution(NamedTuple):
    """Who says so (source) and the reporting word that says it (verb), both as written."""

    source: str
    verb: str


def _find_words(words: tuple[str, ...], text: str) -> list[re.Match[str]]:
    """Every place where one of *words* appears as whole words in *text*, ignoring case, in order."""
    longest_first = sorted(words, key=len, reverse=True)
    pattern = r"\b(" + "|".join(re.escape(word) for word in longest_first) + r")\b"
    return list(re.finditer(pattern, text, flags=re.IGNORECASE))


def strip_boilerplate(text: str) -> str:
    """Return *text* without its web-page furniture.

    A line is furniture when, after the spaces at its start, it starts with one of
    FURNITURE_STARTS (case counts). Every other line is kept as it is, in order, and the kept
    lines are joined with "\\n". Blank lines are kept too: split_sentences ignores them.
    """
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(FURNITURE_STARTS)]
    return "\n".join(kept)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of *text*, in order, each without the spaces around it.

    Each line is read on its own: a sentence never runs over a line break, and a line without
    a full stop (a headline) is one sentence. Inside a line, a sentence ends at ".", "!" or "?",
    or at one of them followed by a closing quotation mark (” " ’), when a space follows. So
    "Dr." ends a sentence too: the rule does not know abbreviations. Blank lines give nothing.
    """
    sentences = []
    for line in text.splitlines():
        for piece in re.split(r"(?<=[.!?])\s+|(?<=[.!?][”\"’])\s+", line.strip()):
            if piece.strip():
                sentences.append(piece.strip())
    return sentences


def find_attribution(sentence: str) -> Attribution | None:
    """Return who says so in *sentence*, or None.

    The verb is the first of REPORTING_VERBS in the sentence (whole words, any case), as
    written. The source is read next to it:

    - after "according to", and after a verb that follows a comma (", said Stuart Jones,"):
      the words after the verb, up to the next ",", ";" or "." or the end;
    - otherwise, the words before the verb, from the last "," before it (or from the start).

    Quotation marks and spaces around the source are dropped. None when there is no verb, or
    when nothing is left for the source.
    """
    found = _find_words(REPORTING_VERBS, sentence)
    if not found:
        return None
    match = found[0]
    verb = match.group(0)
    before, after = sentence[: match.start()], sentence[match.end():]
    if verb.lower() == "according to" or before.rstrip().endswith(","):
        source = re.split(r"[,;.]", after)[0]
    else:
        source = before.split(",")[-1]
    source = source.strip(" “”\"‘’")
    return Attribution(source, verb) if source else None


def verb_stance(verb: str) -> str:
    """Return the stance of a reporting *verb*: STANCES[verb] in lower case, or "neutral" for any other word."""
    return STANCES.get(verb.strip().lower(), "neutral")


def hedges(sentence: str) -> list[str]:
    """Return the HEDGE_WORDS in *sentence* (whole words, any case), in lower case, in order of appearance.

    A word that appears twice is listed twice. "about" counts wherever it appears: this rule
    does not check for a number after it.
    """
    return [match.group(0).lower() for match in _find_words(HEDGE_WORDS, sentence)]


def classify_statement(sentence: str) -> str:
    """Return the kind of *sentence*: "denial", "attributed", "hedged" or "unattributed".

    The first that applies: "denial" when one of DENIAL_WORDS is in it; "attributed" when one
    of ATTRIBUTION_WORDS is in it; "hedged" when hedges(sentence) finds a hedge; otherwise
    "unattributed". Words are matched as whole words, in any case. These word lists are not
    find_attribution's, so a sentence can have a source and still be "unattributed".
    """
    tests = (("denial", bool(_find_words(DENIAL_WORDS, sentence))),
             ("attributed", bool(_find_words(ATTRIBUTION_WORDS, sentence))),
             ("hedged", bool(hedges(sentence))))
    return next((kind for kind, found in tests if found), "unattributed")
