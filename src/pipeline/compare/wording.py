"""What a claim's words say, for comparing claims: the comparable terms of a content (stems of its
content words, without function words and negations, so "he did not pay taxes" and "he paid taxes"
have the same terms), its negations, whether its cue reports an act rather than a statement, and
its sign: the extractor's polarity (:func:`claim_sign`) and the side it takes on the positive form
of its content (:func:`proposition_sign`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from pipeline.compare.lexicon import wordset

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def stem(word: str) -> str:
    """A crude English stem, enough to meet "pays", "paid", "paying" and "pay" halfway."""
    irregular = {"paid": "pay", "said": "say", "won": "win", "took": "take", "made": "make", "lost": "lose"}
    if word in irregular:
        return irregular[word]
    if word.endswith("ies") and len(word) >= 5:
        word = word[:-3] + "y"
    elif re.search(r"(?:x|ss|sh|ch|z)es$", word):
        word = word[:-2]
    elif word.endswith("s") and len(word) >= 4 and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ied") and len(word) >= 5:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5:
        word = word[:-2]
    elif word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # "stopp(ing)" -> "stop"
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@cache
def negation_words() -> frozenset[str]:
    """The words that negate a proposition: the extractor's own list (``claims/lexicons/en/negations.txt``),
    read as a file, so that comparing claims does not load the extractor and its spaCy."""
    text = (resources.files("pipeline") / "claims" / "lexicons" / "en" / "negations.txt").read_text(encoding="utf-8")
    return frozenset(w.split("#", 1)[0].strip().lower() for w in text.splitlines()) - {""}


def _raw_words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("n't", " not")
    return [re.sub(r"'s$|'$", "", w) for w in _WORD.findall(text)]


def content_terms(text: str) -> frozenset[str]:
    """The comparable terms of a content: stems of content words, negations and function words out."""
    skip = wordset("function_words.txt") | negation_words()
    out = set()
    for w in _raw_words(text):
        if len(w) < 2 or w in skip or (w.isdigit() and len(w) < 2):
            continue
        out.add(stem(w))
    return frozenset(out)


def negations(text: str) -> int:
    """How many negation words the content holds."""
    neg = negation_words()
    return sum(w in neg for w in _raw_words(text))


ACT = "an act, not a statement"


def is_act(cue: str | None) -> bool:
    """Whether a claim's cue reports an act ("ordered", "voted against", "has signed"): a word of it
    is in ``data/acts.txt``. An act states no proposition to assert or deny, so it is never clustered."""
    acts = wordset("acts.txt")
    return any(w in acts for w in _raw_words(cue or ""))


def claim_sign(claim: Mapping[str, Any]) -> int:
    """+1 for a claim whose speaker asserts its content, -1 for one whose speaker denies it: the
    extractor's ``polarity`` (a denial cue, "denied that ...", or a negated main clause, "he did not
    pay") and nothing else. A claim that asserts a negative ("the spill had not been contained")
    still asserts; :func:`proposition_sign` says which side of the positive it is on."""
    return -1 if claim.get("polarity") == "denies" else 1


# words that end the content's own clause: another clause the content only mentions ("examine why
# the valve had not been replaced") or a second proposition beside the first ("was contained and
# posed no risk"); a negation or inverting word after them says nothing about the first
_CLAUSE_END = frozenset(
    {"why", "whether", "if", "how", "what", "when", "where", "because", "although", "though", "unless", "while"}
    | {"and", "but", "yet", "whereas"}
)
_RELATIVE = frozenset({"that", "which", "who"})


def proposition_sign(claim: Mapping[str, Any]) -> int:
    """The claim's side on the positive form of its content: +1 for "the spill was contained" asserted
    (or "was not contained" denied), -1 for "was not contained" asserted (or "was contained" denied).

    :func:`claim_sign`, turned over once for each word of the content's first clause that says the
    proposition is untrue, refused or doubted (``data/inverting.txt``: "a hoax", "refused to"; not
    in a relative clause: "the valve that failed") and, for an assertion, for each negation
    (``claims/lexicons/en/negations.txt``). The first clause ends where the content embeds a clause of its own
    ("why", "whether", "because") or joins a second proposition ("and", "but")."""
    sign = claim_sign(claim)
    words = _raw_words(claim.get("content") or "")
    inverting = _inverting_stems()
    negations = negation_words()
    flips = 0
    for k, w in enumerate(words):
        if w in _CLAUSE_END and k > 0:
            break
        if stem(w) in inverting and (k == 0 or words[k - 1] not in _RELATIVE):
            flips += 1
        elif sign > 0 and w in negations:
            flips += 1
    return -sign if flips % 2 else sign


@cache
def _inverting_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in wordset("inverting.txt"))
