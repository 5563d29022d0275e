"""Words and sentences: a regex tokeniser, a sentence splitter and a small stemmer.

Plain Python on purpose (measured in ``benchmarks/story_reader.py``): the phrases a coach
writes and the story a candidate tells go through the same three steps, so what matters is
that both sides are normalised the same way, not that a word is reduced to its dictionary
form. The stemmer strips the regular English endings and knows the irregular verbs that
stories about hiring use; it never looks a word up anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from .._caches import cached

__all__ = ["Token", "clean", "sentences", "stem", "tokenize"]

# Words (with inner apostrophes or hyphens), numbers (3, 3.5, 1,000), and the punctuation
# that matters to negation scope and sentence ends.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’-][^\W\d_]+)*|[.!?;:,()\"“”]")
# A sentence ends at . ! ? (and runs of them) before a space, at a line break that starts
# a new item, or at the end of the text. Abbreviations are restored afterwards.
_BREAK = re.compile(r"[.!?]+[\"”')\]]*(?=\s)|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "mr", "mrs", "ms", "dr", "etc", "vs", "approx",
                            "st", "jr", "sr", "inc", "ltd", "co", "no"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")

# Irregular forms that the suffix rules below would miss, mapped to the stem those rules
# give the base form (so "went" and "go" meet, and "told" and "tell").
_IRREGULAR = {
    "went": "go", "gone": "go", "goes": "go", "going": "go",
    "told": "tell", "said": "say", "says": "say", "gave": "give", "given": "give",
    "took": "take", "taken": "take", "came": "come", "got": "get", "gotten": "get",
    "made": "make", "heard": "hear", "knew": "know", "known": "know", "saw": "see",
    "seen": "see", "thought": "think", "felt": "feel", "left": "leave", "met": "meet",
    "sent": "send", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "began": "begin", "begun": "begin", "kept": "keep",
    "found": "find", "brought": "bring", "bought": "buy", "ran": "run", "won": "win",
    "lost": "lose", "chose": "choose", "chosen": "choose", "froze": "freeze",
    "frozen": "freeze",
    "put": "put", "was": "be", "were": "be", "been": "be", "is": "be", "are": "be",
    "am": "be", "being": "be", "'s": "be", "did": "do", "does": "do", "done": "do",
    "had": "have", "has": "have", "having": "have", "paid": "pay", "rang": "ring",
    "rung": "ring", "fell": "fall", "fallen": "fall", "held": "hold", "led": "lead",
    "meant": "mean", "became": "become", "shut": "shut", "set": "set", "let": "let",
    "quit": "quit", "cut": "cut", "read": "read", "understood": "understand",
    "withdrew": "withdraw", "withdrawn": "withdraw", "forgot": "forget",
    "people": "person", "men": "man", "women": "woman", "children": "child",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad",
    "us": "us", "this": "this", "his": "his", "its": "its", "less": "less",
    "news": "news", "yes": "yes", "process": "process", "business": "business",
    "always": "always", "perhaps": "perhaps", "ours": "ours", "themselves": "themselves",
    "was't": "be", "gutted": "gutted",
}
# Number words that start a compound ("a four-person panel", "a six-month contract"): the
# compound is read as the number and the word it counts, so "{number} person" and
# "{duration}" phrases see it. "twenty-one" stays one number.
_COMPOUND_NUMBERS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
})
_NUMBER_WORDS_AFTER_TENS = frozenset({"one", "two", "three", "four", "five", "six", "seven",
                                      "eight", "nine"})
_DOUBLED = re.compile(r"([bdfgklmnprtvz])\1$")
_VOWEL = re.compile(r"[aeiouy]")


class Token(NamedTuple):
    """One token: its text as written, where it is, and its normalised form.

    A named tuple rather than an attrs class: a story has thousands of them, and they are
    built on every read.
    """

    text: str
    start: int
    end: int
    lower: str
    stem: str
    #: A word or a number, not punctuation.
    is_word: bool
    #: Joined to the token before by a hyphen ("check" in "reference-check").
    joined: bool = False


def clean(text: str) -> str:
    """``text`` with control and invisible characters turned into spaces (same length)."""
    text = _CONTROL.sub(" ", text)
    return text.replace("\t", " ")


@cached("story.stem", maxsize=16384)
def stem(word: str) -> str:
    """A crude, deterministic stem: ``called``, ``calls`` and ``calling`` all give ``call``."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s") or w.endswith("s'"):
        w = w[:-2] if w.endswith("'s") else w[:-1]
    base = _IRREGULAR.get(w)
    if base == w:
        return w  # kept as it is: "news" is not "new", "process" not "proces"
    w = base or w
    if len(w) == 3 and w.endswith("s") and w[1] not in "aeiousy" and w.isalpha():
        return w[:-1]  # "ads", "cvs"
    if "'" in w or len(w) <= 3 or not w.isalpha():
        return w
    if (w.endswith("ies") and len(w) > 4) or (w.endswith("ied") and len(w) > 4):
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith("shes") or w.endswith("ches") or w.endswith("xes"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and _VOWEL.search(w[:-len(suffix)]):
            w = w[:-len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    # Undoubled everywhere, base forms included: "stopped", "stop" and "call", "called"
    # meet on "stop" and "cal".
    if _DOUBLED.search(w) and len(w) > 3:
        w = w[:-1]
    if w.endswith("y") and len(w) > 3 and w[-2] not in "aeiou":
        w = w[:-1] + "i"
    return w


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of ``text``, with character offsets shifted by ``offset``."""
    out: list[Token] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        lower = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).lower()
        lower = lower.replace("’", "'")
        start = match.start() + offset
        head, dash, rest = lower.partition("-")
        if dash and rest and head not in _COMPOUND_NUMBERS and len(lower) == len(raw):
            # A hyphenated word is its parts ("reference-check" is "reference" and "check"),
            # on both sides: a phrase written "start date" meets "start-date" and the other
            # way round. Matching never cuts one in two (see ``Token.joined``).
            pos = 0
            for part in lower.split("-"):
                end = pos + len(part)
                out.append(Token(raw[pos:end], start + pos, start + end, part, stem(part), True,
                                 pos > 0))
                pos = end + 1
            continue
        if dash and rest and head in _COMPOUND_NUMBERS and len(head) == len(raw.partition(
                "-")[0]) and rest.partition("-")[0] not in _NUMBER_WORDS_AFTER_TENS:
            # "four-person" is "four" and "person"
            cut = len(head)
            out.append(Token(raw[:cut], start, start + cut, head, stem(head), True))
            out.append(Token(raw[cut + 1:], start + cut + 1, start + len(raw), rest, stem(rest),
                             True))
            continue
        out.append(Token(raw, start, start + len(raw), lower, stem(lower), lower[:1].isalnum()))
    # A word said twice for emphasis ("really, really well", "very, very good") is one
    # clause: the comma between the two does not end a phrase or a negation's scope.
    return [t for i, t in enumerate(out)
            if not (t.lower == "," and 0 < i < len(out) - 1 and out[i - 1].is_word
                    and out[i - 1].lower == out[i + 1].lower)]


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (ends exclusive, spaces trimmed)."""
    start = 0
    for match in _BREAK.finditer(text):
        end = match.end()
        word = text[start:match.start()].rsplit(None, 1)[-1:] or [""]
        if match.group().startswith(".") and len(match.group()) == 1 and (
                word[0].lower().rstrip(".") in _ABBREVIATIONS or len(word[0]) == 1):
            continue
        yield from _trimmed(text, start, end)
        start = end
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end
