"""NegEx-style negation and hedge cues, and where their scope ends.

After Chapman et al. (2001), "A simple algorithm for identifying negated findings and
diseases in discharge summaries": a *pre* trigger ("never", "no one") negates what follows
it within :data:`SCOPE` words, a *post* trigger ("... never happened") what comes before it,
*pseudo* triggers look like negation but are not ("not only", "no doubt"), and a
*terminator* ("but", ";") ends a scope. Hedges ("I think", "maybe") work the same way but
lower a certainty instead of flipping a value.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._caches import register
from ._text import Token

__all__ = ["HEDGES", "HYPOTHETICAL", "POST", "PRE", "PSEUDO", "SCOPE", "TERMINATORS", "find"]

#: Words after a pre trigger that it can negate.
SCOPE = 6

PRE: tuple[tuple[str, ...], ...] = tuple(tuple(t.split()) for t in (
    "not", "never", "no", "nobody", "none", "nothing", "neither", "nor", "without",
    "no one", "not once", "not a single", "not one", "not even", "failed to", "lack of",
    "absence of", "no sign of", "no mention of", "not a word", "n't", "didn't", "didnt",
    "don't", "dont", "doesn't", "doesnt", "wasn't", "wasnt", "weren't", "werent", "isn't",
    "isnt", "aren't", "arent", "haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt",
    "won't", "wont", "wouldn't", "wouldnt", "couldn't", "couldnt", "can't", "cant", "cannot",
    "shouldn't", "mustn't", "ain't", "neither of", "zero",
))
POST: tuple[tuple[str, ...], ...] = tuple(tuple(t.split()) for t in (
    "never happened", "did not happen", "didn't happen", "was not the case",
    "wasn't the case", "never came", "not true", "was denied", "were denied", "never did",
))
PSEUDO: tuple[tuple[str, ...], ...] = tuple(tuple(t.split()) for t in (
    "not only", "not just", "no doubt", "not long", "no matter", "nothing but",
    "not sure", "not certain", "never mind", "no later than", "without a doubt",
    "not until", "no sooner", "not necessarily", "no idea", "no clue", "not the only",
    "nothing else", "no longer than", "not unlike", "not to mention",
    # "no" as the answer itself: "they said no", "the no came a week later".
    "say no", "said no", "saying no", "says no", "the no", "a no", "their no", "no came",
    "hear no", "heard no", "got a no", "no thanks",
))
#: Words that make what follows them in the clause something that did not (yet) happen
#: (ConText's "hypothetical", Harkema et al. 2009): "they were about to offer me the job",
#: "details would follow once the background check cleared". What they cover is not read.
HYPOTHETICAL: tuple[tuple[str, ...], ...] = tuple(tuple(t.split()) for t in (
    "about to", "on the point of", "on the verge of", "was going to", "were going to",
    "is going to", "supposed to", "once", "unless", "promised an", "promised a",
    "promised news", "promised to", "to expect",
))
TERMINATORS = frozenset({
    "but", "however", "although", "though", "yet", "except", "which", "whereas", "while",
    "until", "so", "because", "since", "whilst", "instead", "still", "nevertheless",
    "then", "later", "after", "before", ";", ":", ",", "(", ")", '"', "“", "”", ".", "!", "?",
})
# "and" ends a scope when a new clause starts after it ("... and the ad went back up").
CLAUSE_STARTERS = frozenset({"the", "they", "i", "he", "she", "it", "we", "then", "my",
                             "their", "a", "an", "someone", "somebody", "nobody", "no"})
#: Hedges, with the certainty they leave (the lowest applies when there are several).
HEDGES: dict[tuple[str, ...], float] = {tuple(k.split()): v for k, v in {
    "i think": 0.7, "i thought": 0.7, "i believe": 0.7, "i guess": 0.6, "i suppose": 0.6,
    "i suspect": 0.6, "i assume": 0.6, "i feel like": 0.6, "i felt like": 0.6,
    "i have a feeling": 0.6, "i had a feeling": 0.6, "i'm not sure": 0.5,
    "i am not sure": 0.5, "not sure": 0.5, "not certain": 0.5, "i wonder": 0.5,
    "i wondered": 0.5, "maybe": 0.5, "perhaps": 0.5, "possibly": 0.5, "might": 0.5,
    "might have": 0.5, "may have": 0.5, "could have": 0.5, "probably": 0.7, "likely": 0.7,
    "seemed": 0.7, "seems": 0.7, "seem": 0.7, "seemingly": 0.7, "appeared": 0.7,
    "apparently": 0.8, "looked like": 0.7, "sounded like": 0.7, "felt like": 0.7,
    "kind of": 0.8, "sort of": 0.8, "presumably": 0.7, "supposedly": 0.6,
    "allegedly": 0.6, "rumour": 0.6, "rumor": 0.6, "rumoured": 0.6, "rumored": 0.6,
    "i heard": 0.7, "i've heard": 0.7, "i was told": 1.0, "somewhat": 0.8,
    "suspected": 0.6, "suspect": 0.6, "guess": 0.6, "assumed": 0.6, "impression": 0.7,
    "suspicion": 0.6, "wondered": 0.5, "unclear": 0.5, "vague": 0.7, "hinted": 0.7,
    "implied": 0.7, "guessed": 0.6,
}.items()}
# Hedges that follow what they hedge ("..., I think.").
POST_HEDGES = frozenset({("i", "think"), ("i", "guess"), ("i", "suppose"), ("i", "believe"),
                         ("probably",), ("maybe",), ("apparently",), ("i", "suspect")})
_BY_FIRST: dict[int, dict[str, list[tuple[str, ...]]]] = {}
register("story.cue_index", _BY_FIRST.clear, lambda: len(_BY_FIRST))


def _by_first(table: Sequence[tuple[str, ...]] | dict[tuple[str, ...], float]
              ) -> dict[str, list[tuple[str, ...]]]:
    """The cues of ``table`` by their first word, longest first (built once per table)."""
    index = _BY_FIRST.get(id(table))
    if index is None:
        index = {}
        for cue in sorted(table, key=len, reverse=True):
            index.setdefault(cue[0], []).append(cue)
        _BY_FIRST[id(table)] = index
    return index


def find(tokens: Sequence[Token], table: Sequence[tuple[str, ...]] | dict[tuple[str, ...], float]
         ) -> list[tuple[int, int, tuple[str, ...]]]:
    """``(start, end, cue)`` of each cue of ``table`` in ``tokens``, longest first, no overlaps."""
    index = _by_first(table)
    has_nt = ("n't",) in index.get("n't", ())
    found: list[tuple[int, int, tuple[str, ...]]] = []
    i = 0
    lowers = [t.lower for t in tokens]
    while i < len(lowers):
        for cue in index.get(lowers[i], ()):
            n = len(cue)
            if tuple(lowers[i:i + n]) == cue:
                found.append((i, i + n, cue))
                i += n
                break
        else:
            # "didn't" may come apart as "didn" + "'t" in some texts; "n't" is a word too.
            if has_nt and lowers[i].endswith("n't"):
                found.append((i, i + 1, ("n't",)))
            i += 1
    return found
