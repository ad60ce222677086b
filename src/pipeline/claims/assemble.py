"""Turn the drafts that stand into ``Claim`` records: text at the offsets, polarity, entities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from spacy.tokens import Span, Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.resolve import resolve_speakers
from pipeline.records import Claim

_ENTITY_LABELS = frozenset(("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"))


def assemble(ix: DocIndex, lex: Lexicon, drafts: list[Draft], offset: int = 0) -> Iterator[Claim]:
    """One claim per draft, in order; ``offset`` is added to every character offset."""
    resolved = resolve_speakers(ix.doc, drafts, ix.ents)
    text = ix.text
    for d, speaker_resolved in zip(drafts, resolved, strict=True):
        c_start, c_end = d.content
        lemma = d.cue_lemma
        denies = (lemma in lex.denial_cues if lemma else False) or _negated(d.polarity_tokens, lex.words("negations"))
        speaker = d.speaker.span if d.speaker else None
        cue = d.cue_span
        yield Claim(
            kind=d.kind,
            content=text[c_start:c_end],
            content_start=c_start + offset,
            content_end=c_end + offset,
            speaker=text[speaker[0] : speaker[1]] if speaker else None,
            speaker_start=speaker[0] + offset if speaker else None,
            speaker_end=speaker[1] + offset if speaker else None,
            speaker_resolved=speaker_resolved,
            cue=text[cue[0] : cue[1]] if cue else None,
            cue_start=cue[0] + offset if cue else None,
            cue_end=cue[1] + offset if cue else None,
            polarity="denies" if denies else "asserts",
            entities=_entities(ix.ents, c_start, c_end),
            speaker_role=(d.speaker.role if d.speaker else None) or None,
            cue_strength=lex.strength_of(lemma) if cue else None,
        )


def _negated(tokens: Iterable[Token], negations: frozenset[str]) -> bool:
    for t in tokens:
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if t.lower_ in negations and t.dep_ in ("neg", "det", "dobj"):
            return True
    return False


def _entities(ents: Sequence[Span], start: int, end: int) -> tuple[str, ...]:
    out: list[str] = []
    for ent in ents:
        if ent.label_ in _ENTITY_LABELS and start <= ent.start_char and ent.end_char <= end:
            if ent.text not in out:
                out.append(ent.text)
    return tuple(out)
