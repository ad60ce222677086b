"""Word lists that drive the attribution rules, read once from ``lexicons/<lang>/*.txt``.

Each file holds one lower-case lemma a line; ``#`` starts a comment. Keeping the lists as data
lets a reviewer see (and change) what counts as a cue without reading the rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

_FILES = (
    "cue_verbs",
    "cue_nouns",
    "object_nouns",
    "clause_only_verbs",
    "non_speech_verbs",
    "attitude_verbs",
    "raising_verbs",
    "clause_cue_verbs",
    "infinitive_nouns",
    "denial_cues",
    "speech_act_verbs",
    "strength_strong",
    "strength_weak",
    "strength_concede",
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word lists of one language."""

    lang: str
    cue_verbs: frozenset[str]
    cue_nouns: frozenset[str]
    object_nouns: frozenset[str]  # nouns whose prepositional object is the content ("support for X")
    clause_only_verbs: frozenset[str]  # cue verbs that need a clause, not a bare object
    non_speech_verbs: frozenset[str]
    attitude_verbs: frozenset[str]  # belief and intention: cues only with a clause or an infinitive
    raising_verbs: frozenset[str]  # "X seems to ...": the subject belongs to the content
    clause_cue_verbs: frozenset[str]  # speech only with a finite clause: "he continued that ..."
    infinitive_nouns: frozenset[str]  # cue nouns with an infinitive: "his promise to build a wall"
    denial_cues: frozenset[str]
    speech_act_verbs: frozenset[str]  # the act of speaking, not what was said: "as she spoke, ..."
    strength: dict[str, str]  # lemma -> strong | weak | concede; missing lemmas are neutral

    def strength_of(self, lemma: str | None) -> str | None:
        """The strength of a cue lemma (strong, weak, concede, else neutral); None when there is no lemma."""
        if lemma is None:
            return None
        return self.strength.get(lemma, "neutral")

    def words(self, name: str) -> frozenset[str]:
        """Any list ``lexicons/<lang>/<name>.txt``: where a new rule keeps its own words."""
        return _words(self.lang, name)


def _read_list(lang: str, name: str) -> frozenset[str]:
    path = resources.files("pipeline.claims").joinpath("lexicons", lang, f"{name}.txt")
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ValueError(f"no lexicon {name!r} for language {lang!r} (looked for {path})") from e
    words = set()
    for line in raw.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


@functools.lru_cache(maxsize=64)
def _words(lang: str, name: str) -> frozenset[str]:
    return _read_list(lang, name)


@functools.lru_cache(maxsize=8)
def load_lexicon(lang: str = "en") -> Lexicon:
    """Read the lists of ``lang`` once per process."""
    lists = {name: _read_list(lang, name) for name in _FILES}
    strength: dict[str, str] = {}
    for cls in ("weak", "concede", "strong"):  # strong wins where lists overlap
        for lemma in lists[f"strength_{cls}"]:
            strength[lemma] = cls
    return Lexicon(
        lang=lang,
        cue_verbs=lists["cue_verbs"] - lists["non_speech_verbs"],
        cue_nouns=lists["cue_nouns"] | lists["object_nouns"] | lists["infinitive_nouns"],
        object_nouns=lists["object_nouns"],
        clause_only_verbs=lists["clause_only_verbs"],
        non_speech_verbs=lists["non_speech_verbs"],
        attitude_verbs=lists["attitude_verbs"],
        raising_verbs=lists["raising_verbs"],
        clause_cue_verbs=lists["clause_cue_verbs"],
        infinitive_nouns=lists["infinitive_nouns"],
        denial_cues=lists["denial_cues"],
        speech_act_verbs=lists["speech_act_verbs"],
        strength=strength,
    )
