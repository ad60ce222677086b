"""Link pronoun, role-noun and surname speakers to the named speaker they stand for.

Deliberately small: no coreference model, only the nearest compatible earlier speaker (or person
named in the text) within a few paragraphs. A speaker that cannot be linked keeps ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

if TYPE_CHECKING:
    from pipeline.claims.draft import Draft

_SINGULAR_PERSON_PRONOUNS = {"he", "she", "him", "her", "i"}
_PLURAL_PRONOUNS = {"they", "them", "we"}
_THING_PRONOUNS = {"it"}
_PRONOUNS = _SINGULAR_PERSON_PRONOUNS | _PLURAL_PRONOUNS | _THING_PRONOUNS | {"you"}
_GROUP_LABELS = {"ORG", "GPE", "NORP"}
_WINDOW = 1500  # characters back to look for an antecedent


@dataclass(slots=True)
class _Mention:
    start: int
    name: str  # what a later reference resolves to
    person: bool
    plural: bool
    group: bool
    head_lemma: str


def _full_names(ents: Sequence[Span]) -> dict[str, str]:
    """Surname (and single-word name) -> the longest earlier full PERSON name ending with it."""
    names: dict[str, str] = {}
    for ent in ents:
        if ent.label_ != "PERSON" or len(ent) < 2:
            continue
        last = ent[-1].text
        if last.endswith("’s") or last.endswith("'s"):
            continue
        if last not in names or len(ent.text) > len(names[last]):
            names[last] = ent.text
    return names


def _ent_label(tok: Token) -> str:
    return tok.ent_type_ or ""


def resolve_speakers(
    doc: Doc, drafts: Sequence[Draft], ents: Sequence[Span] | None = None
) -> list[str | None]:
    """One resolved name (or None) per draft, in the same order."""
    text = doc.text
    ents = list(doc.ents) if ents is None else ents
    full = _full_names(ents)
    persons = [ent for ent in ents if ent.label_ == "PERSON"]
    mentions: list[_Mention] = []
    out: list[str | None] = []
    position = {id(d): n for n, d in enumerate(drafts)}
    for d in drafts:
        speaker = d.speaker
        if speaker is None:
            out.append(None)
            continue
        if d.inherited_from is not None:
            source = position.get(id(d.inherited_from))
            out.append(out[source] if source is not None and source < len(out) else None)
            continue
        head = speaker.head
        s_start, s_end = speaker.span
        speaker_text = text[s_start:s_end]
        lower = head.lower_
        resolved: str | None
        if speaker.antecedent is not None:
            words = speaker.antecedent.split()
            resolved = full.get(words[-1], speaker.antecedent) if len(words) == 1 else speaker.antecedent
            person = head.head.head.ent_type_ == "PERSON" or head.head.head.pos_ == "PROPN"
            mentions.append(_Mention(s_start, resolved, person, False, False, lower))
        elif head.pos_ == "PRON" or lower in _PRONOUNS:
            resolved = _antecedent(lower, s_start, mentions, persons, full)
        elif head.ent_type_ or head.pos_ == "PROPN":
            label = _ent_label(head)
            name = _entity_text(head) or speaker_text
            if label == "PERSON" or (not label and head.pos_ == "PROPN"):
                name = full.get(name.split()[-1], name) if len(name.split()) == 1 else name
            resolved = name
            mentions.append(
                _Mention(
                    s_start,
                    name,
                    label == "PERSON",
                    head.tag_ == "NNPS",
                    label in _GROUP_LABELS,
                    head.lemma_.lower(),
                )
            )
        else:
            det = next((c.lower_ for c in head.children if c.dep_ == "det"), "")
            resolved = None
            if det in ("the", "this", "that") and head.tag_ == "NN":
                for m in reversed(mentions):
                    if (
                        m.head_lemma == head.lemma_.lower()
                        and not m.plural
                        and s_start - m.start < _WINDOW * 2
                    ):
                        resolved = m.name
                        break
                if resolved is None and speaker.role is None:
                    resolved = None
                else:
                    resolved = resolved or speaker_text
            else:
                resolved = speaker_text
            mentions.append(
                _Mention(
                    s_start,
                    resolved or speaker_text,
                    head.tag_ == "NN",
                    head.tag_ == "NNS",
                    False,
                    head.lemma_.lower(),
                )
            )
            if speaker.role:
                mentions[-1].person = True
        out.append(resolved)
    return out


def _entity_text(tok: Token) -> str | None:
    """The text of the entity ``tok`` is part of, without a possessive ending."""
    if not tok.ent_type_:
        return None
    doc = tok.doc
    lo = tok.i
    while lo > 0 and doc[lo].ent_iob_ == "I":
        lo -= 1
    hi = tok.i + 1
    while hi < len(doc) and doc[hi].ent_iob_ == "I":
        hi += 1
    t = doc[lo:hi].text
    for suffix in ("’s", "'s"):
        if t.endswith(suffix):
            t = t[: -len(suffix)]
    return t


def _antecedent(
    pronoun: str, at: int, mentions: list[_Mention], persons: list, full: dict[str, str]
) -> str | None:
    for m in reversed(mentions):
        if at - m.start > _WINDOW:
            break
        if pronoun in _SINGULAR_PERSON_PRONOUNS and m.person and not m.plural:
            return m.name
        if pronoun in _PLURAL_PRONOUNS and (m.plural or m.group):
            return m.name
        if pronoun in _THING_PRONOUNS and m.group and not m.plural:
            return m.name
    if pronoun in _SINGULAR_PERSON_PRONOUNS:
        for ent in reversed(persons):
            if ent.end_char <= at and at - ent.start_char <= _WINDOW:
                name = ent.text
                return full.get(name.split()[-1], name)
    return None
