"""Rules that turn a parsed ``Doc`` into attributed claims.

The rules run in four passes over one document and share the set of cue tokens already used:

1. quotations: a quoted passage with a cue next to it (``“...,” X said`` / ``X said: “...”``),
   split quotes joined into one claim, and floating quote paragraphs that inherit the speaker of
   the claim before them;
2. cue verbs with a clause, an infinitive or a noun phrase as content (``X said that ...``,
   ``X told Y to ...``, ``X cited concerns about ...``);
3. ``according to X`` around a clause;
4. cue nouns with a ``that`` clause (``the denial by Moscow that ...``).

Claims whose cue sits inside the content of another claim are reports nested in a report and are
dropped (an ``according to`` claim does not swallow the claims of its clause).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from pipeline.claims.lexicons import Lexicon, load_lexicon
from pipeline.claims.quotes import Quote, find_quotes, paragraphs
from pipeline.claims.resolve import resolve_speakers
from pipeline.records import Claim

log = logging.getLogger(__name__)

_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_CLAUSE_DEPS = {"ccomp"}
_CLIMB_DEPS = {"xcomp", "advcl", "conj", "acl", "pcomp"}
_ADDRESSEE_VERBS = {"tell", "ask", "assure", "remind", "warn", "urge", "advise", "promise", "inform"}
_RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
_EXPLETIVES = {"it", "there"}
_NP_TAIL_DEPS = {"prep", "oprd", "advmod", "xcomp", "ccomp", "acomp", "dobj", "attr"}
_MAX_SPEAKER_GAP = 8  # words between a closing quote mark and its cue verb, when unparsed
_NOMINAL_POS = {"PROPN", "NOUN", "DET", "ADJ", "NUM", "PRON", "ADP", "CCONJ", "PART"}
_TOPIC_PREPS = {"about", "for", "of", "on", "against", "over"}
_TO_TOPIC_VERBS = {"refer", "point", "respond", "reply", "object", "allude", "testify", "react"}
_OBJECT_PREPS = {"of", "for", "about", "over", "against", "on", "to"}
# after a comma, the start of an aside appended to reported content
_TAIL_WORDS = frozenset(("which", "who", "despite", "compared", "according"))
_TAIL_MARKS = frozenset(("although",))  # only opening a clause: not "a crucial, although brief, chance"
_TAIL_PAIRS = frozenset((("even", "though"), ("even", "as")))  # ", even though ...", ", even as ..."
# what follows a closing quote mark and is the writer's setting, not the speaker's words:
# '"That makes me smart," when the rival said ...' (PolNeAR train: never inside a quoted content)
_AFTER_QUOTE_WORDS = frozenset(("when", "after", "while", "although"))
_TAIL_VBG_DEPS = frozenset(("advcl", "xcomp", "conj", "acl", "dep", "npadvmod"))
_MAX_SPEAKER_SCAN = 45  # tokens scanned after a closing quote mark for the cue


@dataclass(slots=True, eq=False)
class Draft:
    """A claim under construction, in document character offsets (before chunk shifting)."""

    kind: str
    content: tuple[int, int]
    cue: Token | None = None
    cue_span: tuple[int, int] | None = None
    speaker: tuple[int, int] | None = None
    speaker_head: Token | None = None
    role: str | None = None
    inherited_from: Draft | None = None
    polarity_tokens: list[Token] = field(default_factory=list)
    cue_lemma: str | None = None
    antecedent: str | None = None  # what a relative-pronoun speaker ("who") stands for


class _DocRules:
    """State for one document: its quotes, the cues used so far and the drafts found."""

    def __init__(self, doc: Doc, lex: Lexicon) -> None:
        self.doc = doc
        self.text = doc.text
        self.ents = list(doc.ents)
        self.lex = lex
        # one walk over the tokens: sentence starts and the candidates of each pass
        # (Token.sent and Doc.sents walk the document again on every call)
        self._sent_start: list[int] = []
        self._sents: dict[int, Span] = {}
        self.verb_candidates: list[Token] = []
        self.noun_candidates: list[Token] = []
        self.according: list[Token] = []
        self.attitude_candidates: list[Token] = []
        attitudes = lex.attitude_verbs | lex.raising_verbs | lex.clause_cue_verbs
        start = 0
        for tok in doc:
            if tok.is_sent_start and tok.i > 0:
                start = tok.i
            self._sent_start.append(start)
            lemma = tok.lemma_.lower()
            if lemma in lex.cue_verbs:
                self.verb_candidates.append(tok)
            if lemma in lex.cue_nouns and tok.pos_ == "NOUN":
                self.noun_candidates.append(tok)
            if tok.lower_ == "according":
                self.according.append(tok)
            if _attitude_lemma(tok) in attitudes:
                self.attitude_candidates.append(tok)
        self.quotes = find_quotes(self.text)
        self._quote_starts = [q.start for q in self.quotes]
        self.used_cues: set[int] = set()
        self.drafts: list[Draft] = []
        self.floating: list[Quote] = []  # quote paragraphs with no cue of their own

    # ----- helpers on characters and tokens -------------------------------------------------

    def sent(self, tok: Token) -> Span:
        start = self._sent_start[tok.i]
        found = self._sents.get(start)
        if found is None:
            end = start + 1
            n = len(self._sent_start)
            while end < n and self._sent_start[end] == start:
                end += 1
            found = self._sents[start] = self.doc[start:end]
        return found

    def quote_at(self, char: int) -> Quote | None:
        i = bisect.bisect_right(self._quote_starts, char) - 1
        if i >= 0 and self.quotes[i].start <= char < self.quotes[i].end:
            return self.quotes[i]
        return None

    def is_cue_verb(self, tok: Token) -> bool:
        if tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB"):
            return False
        return tok.lemma_.lower() in self.lex.cue_verbs

    def trim(self, start: int, end: int) -> tuple[int, int] | None:
        """Shrink a character span past spaces and separating punctuation (keeps quote marks)."""
        text = self.text
        while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-("):
            end -= 1
        if end <= start:
            return None
        return start, end

    def token_span(self, tokens: list[Token]) -> tuple[int, int] | None:
        if not tokens:
            return None
        first, last = tokens[0], tokens[-1]
        return self.trim(first.idx, last.idx + len(last.text))

    def contiguous(self, head: Token, exclude: set[int] | None = None) -> list[Token]:
        """The run of ``head``'s subtree around ``head`` without gaps (drops non-projective bits)."""
        members = {t.i for t in head.subtree}
        if exclude:
            members -= exclude
        lo = hi = head.i
        doc = self.doc
        while lo - 1 in members and "\n" not in doc[lo - 1].text_with_ws:
            lo -= 1
        while hi + 1 in members and "\n" not in doc[hi].text_with_ws:
            hi += 1
        span = [self.doc[i] for i in range(lo, hi + 1)]
        while span and span[-1].is_punct and span[-1].text not in '”"’)' and len(span) > 1:
            span.pop()
        while span and span[0].is_punct and span[0].text not in '“"‘(' and len(span) > 1:
            span.pop(0)
        return span

    def _own_reports(self, head: Token) -> set[int]:
        """Conjoined cue verbs under a content head ("... that he was ill and vowed to ..."): the
        parser hangs the speaker's next report on the content; cut it off so it stands alone."""
        out: set[int] = set()
        for child in head.children:
            if child.dep_ == "conj" and child.tag_ in ("VBD", "VBZ") and self.is_cue_verb(child):
                out |= {t.i for t in child.subtree}
                out |= {
                    c.i for c in head.children if c.dep_ in ("cc", "punct") and c.i < child.i and c.i > head.i
                }
        return out

    def speaker_tokens(self, head: Token) -> tuple[list[Token], str | None]:
        """The speaker phrase of ``head`` without relative clauses, and an appositive role if any."""
        drop: set[int] = set()
        role: str | None = None
        name_head = head
        for child in head.children:
            if child.dep_ in ("relcl", "acl", "advcl"):
                drop |= {t.i for t in child.subtree}
            elif child.dep_ == "appos":
                appos_sub = [t for t in child.subtree]
                if head.pos_ == "PROPN" and child.pos_ != "PROPN":
                    role = _role_text(appos_sub)
                    drop |= {t.i for t in appos_sub}
                elif child.pos_ == "PROPN" and head.pos_ != "PROPN":
                    left = [t for t in head.subtree if t.i < child.i and t.i not in {x.i for x in appos_sub}]
                    role = _role_text([t for t in left if t.dep_ not in ("poss", "case")]) or None
                    name_head = child
                    drop = {t.i for t in head.subtree} - {t.i for t in appos_sub}
                    for grand in child.children:
                        if grand.dep_ in ("relcl", "acl", "appos"):
                            drop |= {t.i for t in grand.subtree}
                else:
                    drop |= {t.i for t in appos_sub}
        tokens = self.contiguous(name_head, drop)
        while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
            tokens.pop()
        return tokens, role

    # ----- speakers ---------------------------------------------------------------------------

    def subject_of(self, verb: Token, depth: int = 0) -> Token | None:
        for child in verb.children:
            if child.dep_ in _SUBJECTS:
                if child.dep_ == "nsubjpass":
                    agent = _agent_of(verb)
                    return agent
                if child.lower_ in _EXPLETIVES and child.dep_ == "nsubj" and child.lower_ == "there":
                    return None
                return child
        agent = _agent_of(verb)
        if agent is not None:
            return agent
        if depth < 3 and verb.dep_ in _CLIMB_DEPS and verb.head is not verb:
            head = verb.head
            if head.pos_ in ("NOUN", "PROPN") and verb.dep_ == "acl":
                # "a statement saying ...": the issuer of the statement, else the statement itself
                if head.dep_ in ("dobj", "pobj") and head.head.pos_ in ("VERB", "AUX"):
                    found = self.subject_of(head.head, depth + 1)
                    return found if found is not None else head
                return head
            if head.pos_ in ("VERB", "AUX"):
                if verb.tag_ == "VBG" and head.dep_ == "ccomp" and self.is_cue_verb(head.head):
                    # "X denied that Y was coming, explaining ...": the parser hung the participle on
                    # the reported clause; the one explaining is the reporter, not Y
                    return self.subject_of(head.head, depth + 1)
                return self.subject_of(head, depth + 1)
        return None

    def set_speaker(self, draft: Draft, head: Token | None) -> None:
        if head is None:
            return
        if head.lower_ in _RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            # "Kim Gunn, his counterpart, who voiced ...": the speaker as written is "who"; it
            # stands for the noun the clause hangs on (the name rather than an appositive role)
            noun = head.head.head
            if noun.dep_ == "appos" and noun.head.pos_ == "PROPN":
                noun = noun.head
            draft.speaker = (head.idx, head.idx + len(head.text))
            draft.speaker_head = head
            tokens, _ = self.speaker_tokens(noun)
            named = self.token_span(tokens)
            draft.antecedent = self.text[named[0] : named[1]] if named else None
            return
        tokens, role = self.speaker_tokens(head)
        span = self.token_span(tokens)
        if span is None:
            return
        draft.speaker = span
        draft.speaker_head = head if role is None or head.pos_ == "PROPN" else _propn_in(tokens, head)
        draft.role = role

    # ----- pass 1: quotations ----------------------------------------------------------------

    def quote_tokens(self, q: Quote) -> Span | None:
        return self.doc.char_span(q.start, q.end, alignment_mode="expand")

    def cue_after(self, q: Quote) -> Token | None:
        """A cue verb right after a closing quote mark: ``,” X said`` or ``,” said X``.

        Everything between the mark and the verb must belong to the verb's subject (so a long
        speaker with an appositive still counts, but another clause does not).
        """
        doc = self.doc
        span = (
            doc.char_span(q.end, len(self.text), alignment_mode="expand") if q.end < len(self.text) else None
        )
        if span is None or not len(span):
            return None
        start = span[0].i
        between: list[Token] = []
        for i in range(start, min(len(doc), start + _MAX_SPEAKER_SCAN)):
            tok = doc[i]
            if "\n" in tok.text or (i > start and "\n" in doc[i - 1].text_with_ws):
                return None
            if self.is_cue_verb(tok) and tok.i not in self.used_cues:
                return tok if self._subject_only(tok, between) else None
            if tok.text in (".", "?", "!", ";") and any(not t.is_punct for t in between):
                return None
            if tok.text in '“”"«»' or tok.text in ("``", "''"):
                q2 = self.quote_at(tok.idx)
                if q2 is None or self.claim_like(q2):
                    return None
            between.append(tok)
        return None

    def _subject_only(self, verb: Token, between: list[Token]) -> bool:
        words = [t for t in between if not t.is_punct and not t.is_space]
        if not words:
            return True
        subject = set()
        for child in verb.children:
            if child.dep_ in _SUBJECTS:
                subject |= {t.i for t in child.subtree}
        loose = [t for t in words if t.i not in subject and t.dep_ not in ("advmod", "aux", "neg")]
        if not loose:
            return True
        # a parse that lost the subject: accept a plain noun phrase ('Tulsa police Chief Chuck Jordan')
        nominal = all(t.pos_ in _NOMINAL_POS or t.is_title for t in words)
        return not subject and len(words) <= _MAX_SPEAKER_GAP and (nominal or len(loose) <= 4)

    def cue_before(self, q: Quote) -> Token | None:
        """A cue verb right before an opening mark: ``X said: “`` / ``X told reporters, “``."""
        span = self.doc.char_span(q.start, q.start + 1, alignment_mode="expand")
        if span is None or not len(span):
            return None
        doc = self.doc
        i = span[0].i - 1
        crossed = False
        while i >= 0 and doc[i].is_space:
            crossed = crossed or "\n" in doc[i].text
            i -= 1
        if i < 0:
            return None
        crossed = crossed or "\n" in doc[i].text_with_ws
        if doc[i].text in (",", ":", "—", "-", "--"):
            # "In a 1963 speech, he declared:" closing one paragraph introduces the next one's quote
            if crossed and doc[i].text != ":":
                return None
            i -= 1
        elif crossed or not self.is_cue_verb(doc[i]) or doc[i].tag_ not in ("VBD", "VBZ", "VBP"):
            return None  # only a bare 'he said “...”' may do without punctuation ("so-called" may not)
        elif doc[i].dep_ in ("amod", "acl", "compound"):
            return None
        # the cue phrase: the verb, perhaps with an addressee or a time after it ("told reporters")
        for j in range(i, max(-1, i - 4), -1):
            tok = doc[j]
            if "\n" in tok.text_with_ws or tok.is_punct:
                return None
            if self.is_cue_verb(tok):
                return tok if tok.i not in self.used_cues else None
            if tok.pos_ in ("VERB", "AUX"):
                return None
        return None

    def claim_like(self, q: Quote) -> bool:
        span = self.quote_tokens(q)
        if span is None:
            return False
        words = [t for t in span if not t.is_punct and not t.is_space]
        if len(words) < 4:
            return False
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in words)
        inner = self.text[q.start + 1 : q.end - 1].rstrip()
        ends_clause = bool(inner) and inner[-1] in ".,!?…"
        return has_verb and (ends_clause or len(words) >= 8)

    def pass_quotes(self) -> None:
        consumed: set[int] = set()
        for n, q in enumerate(self.quotes):
            if n in consumed:
                continue
            cue = self.cue_after(q) if self._opens_sentence(q) else None
            segments = [q]
            if cue is not None:
                # "“A,” X said, “B.”": a second quote right after the cue phrase continues the claim
                m = n + 1
                while m < len(self.quotes) and self.quotes[m].start < cue.idx:
                    m += 1  # a title inside the speaker phrase
                nxt = self.quotes[m] if m < len(self.quotes) else None
                if nxt is not None and self._joins(cue, nxt):
                    segments.append(nxt)
                    consumed.update(range(n + 1, m + 1))
                elif self._has_own_content(cue):
                    cue = None
            if cue is None:
                cue = self.cue_before(q)
                if cue is not None and not self.claim_like(q) and q.end - q.start < 12:
                    cue = None
            if cue is None:
                byline = self._dash_byline(q)
                if byline is not None:
                    self._add_byline(q, *byline)
                elif q.paragraph_start and self.claim_like(q):
                    self.floating.append(q)
                continue
            # '“A,” he said. “B.”': the quote that follows in the same paragraph goes on with it
            k = max(consumed | {n}) + 1
            sent_end = self.sent(cue).end_char
            while k < len(self.quotes) and self.quotes[k].end <= sent_end:
                k += 1  # a title inside the cue phrase: 'he said on ABC’s “This Week.”'
            apart: list[Quote] = []  # continued quotes too far from the rest to share one span
            while k < len(self.quotes) and self._continues(segments[-1].end, self.quotes[k], cue):
                nxt = self.quotes[k]
                consumed.add(k)
                k += 1
                if apart or self._too_far(segments, nxt):
                    apart.append(nxt)
                else:
                    segments.append(nxt)
            content = (segments[0].start, segments[-1].end)
            d = Draft("direct", content, cue=cue, cue_lemma=cue.lemma_.lower())
            d.cue_span = (cue.idx, cue.idx + len(cue.text))
            self.set_speaker(d, self.subject_of(cue) or _inverted_subject(cue))
            if d.speaker is None and cue.idx > segments[0].end:
                d.speaker = self.trim(segments[0].end, cue.idx)  # the noun phrase between quote and cue
                if d.speaker is not None:
                    d.speaker_head = self.doc[cue.i - 1]
            d.polarity_tokens = self._roots_in(*content)
            self.used_cues.add(cue.i)
            self.drafts.append(d)
            for q2 in apart:
                self._inherit(q2, d)

    def _too_far(self, segments: list[Quote], nxt: Quote) -> bool:
        """'“A,” said X, a pollster who worked for ... and ... . “B.”': when the cue phrase between
        outweighs the quotes, one span from A to B would mostly hold the speaker's description,
        so B becomes a claim of its own by the same speaker."""
        quoted = sum(q.end - q.start for q in segments) + nxt.end - nxt.start
        between = sum(
            len(self.text[a.end : b.start].strip())
            for a, b in zip(segments, [*segments[1:], nxt], strict=True)
        )
        return between > quoted

    def _inherit(self, q: Quote, source: Draft) -> None:
        d = Draft("direct", (q.start, q.end), inherited_from=source, cue_lemma=None)
        d.speaker, d.speaker_head, d.role = source.speaker, source.speaker_head, source.role
        d.antecedent = source.antecedent
        d.polarity_tokens = self._roots_in(q.start, q.end)
        self.drafts.append(d)

    def _dash_byline(self, q: Quote) -> tuple[int, list[Token]] | None:
        """'“I just hope ...” ― Jorge Falcon': a dash and a name closing the quote's paragraph."""
        text = self.text
        i = q.end
        while i < len(text) and text[i] in " \t\u00a0":
            i += 1
        if i >= len(text) or text[i] not in "―—–-":
            return None
        dash = i
        span = self.doc.char_span(dash + 1, len(text), alignment_mode="expand")
        if span is None:
            return None
        name: list[Token] = []
        for tok in span:
            if tok.idx <= dash or tok.is_space and not name:
                continue
            if "\n" in tok.text or tok.text in (".", ",", "/") or len(name) > 6:
                break
            name.append(tok)
            if "\n" in tok.text_with_ws:
                break
        if not name or not all(t.pos_ == "PROPN" or t.text in (".", "-") or t.is_title for t in name):
            return None
        return dash, name

    def _add_byline(self, q: Quote, dash: int, name: list[Token]) -> None:
        d = Draft("direct", (q.start, q.end), cue_lemma="—")
        d.cue_span = (dash, dash + 1)
        d.speaker = (name[0].idx, name[-1].idx + len(name[-1].text))
        d.speaker_head = name[-1]
        d.polarity_tokens = self._roots_in(q.start, q.end)
        self.drafts.append(d)

    def _opens_sentence(self, q: Quote) -> bool:
        """The quote stands as a clause of its own: nothing but a sentence break before it."""
        i = q.start - 1
        while i >= 0 and self.text[i] in " \t\u00a0":
            i -= 1
        return i < 0 or self.text[i] in "\n.!?:;—–(”\"'"

    def _has_own_content(self, cue: Token) -> bool:
        """A cue after a quote that has its own clause or object belongs to another claim."""
        for child in cue.children:
            if child.i <= cue.i:
                continue
            if child.dep_ in ("ccomp", "xcomp"):
                if self.quote_at(child.idx) is not None:
                    continue  # the next quoted sentence, parsed into this one
                if any(t.text == "," for t in self.doc[cue.i + 1 : child.left_edge.i]):
                    continue  # '“...,” Warren told Stumpf, after he admitted he had ...'
                return True
            if child.dep_ == "dobj" and cue.lemma_.lower() not in _ADDRESSEE_VERBS:
                return True
        nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
        return nxt is not None and nxt.text == ":"

    def _continues(self, prev_end: int, nxt: Quote, cue: Token) -> bool:
        """``nxt`` carries on the claim ending at ``prev_end``: same paragraph, no cue of its own."""
        between = self.text[prev_end : nxt.start]
        if "\n" in between:
            return False
        stripped = between.strip()
        if stripped and not stripped.endswith((".", "!", "?")):
            return False
        after_cue_sentence = not self.text[self.sent(cue).end_char : nxt.start].strip()
        if len(stripped.split()) > _MAX_SPEAKER_GAP and not after_cue_sentence:
            return False
        return self.cue_after(nxt) is None

    def _joins(self, cue: Token, nxt: Quote) -> bool:
        sent_end = self.sent(cue).end_char
        if nxt.start > sent_end + 2:
            return False
        # only the cue phrase (speaker, cue, a comma) may stand between the two quotes
        between = self.doc.char_span(cue.idx, nxt.start, alignment_mode="expand")
        if between is None:
            return False
        words = [t for t in between if not t.is_punct and not t.is_space]
        if any(t.i != cue.i and self.is_cue_verb(t) and t.i > cue.i for t in words):
            return False  # '“A,” he said, adding, “B.”': B is reported by 'adding', a claim of its own
        return len(words) <= _MAX_SPEAKER_GAP and between.text.rstrip().endswith((",", ":", "—"))

    def pass_trailing_quotes(self) -> None:
        """'X said Clinton “drew well” in 2008. “That was more her constituency.”': a quote that
        opens the next sentence of the paragraph, with no cue of its own, goes on with the claim."""
        claimed = [d.content for d in self.drafts]
        for d in self.drafts:
            if d.cue is None or d.kind == "according_to":
                continue
            sent_end = self.sent(d.cue).end_char
            if d.content[1] > sent_end + 1:
                continue
            k = bisect.bisect_left(self._quote_starts, sent_end)
            if k >= len(self.quotes):
                continue
            q = self.quotes[k]
            if self.text[sent_end : q.start].strip() or "\n" in self.text[d.content[1] : q.start]:
                continue
            if any(c[0] <= q.start < c[1] for c in claimed) or not self.claim_like(q):
                continue
            if self.cue_after(q) is not None:
                continue
            d.content = (d.content[0], q.end)
            d.kind = "mixed" if d.kind == "indirect" else d.kind
            claimed.append((q.start, q.end))
            self.floating = [f for f in self.floating if f is not q]

    def pass_floating(self) -> None:
        """A quote paragraph without a cue continues the speaker of the claim just before it."""
        for q in self.floating:
            before = [d for d in self.drafts if d.content[1] <= q.start and d.speaker is not None]
            if not before:
                continue
            last = max(before, key=lambda d: d.content[1])
            between = self.text[last.content[1] : q.start]
            if _paragraph_breaks(between) > 1 or self.quote_at(last.content[1]) is not None:
                continue
            d = Draft("direct", (q.start, q.end), inherited_from=last, cue_lemma=None)
            d.speaker, d.speaker_head, d.role = last.speaker, last.speaker_head, last.role
            d.polarity_tokens = self._roots_in(q.start, q.end)
            self.drafts.append(d)

    def _roots_in(self, start: int, end: int) -> list[Token]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return []
        return [
            t
            for t in span
            if t.dep_ == "ROOT" or (t.dep_ in ("ccomp", "conj") and not span.start <= t.head.i < span.end)
        ]

    # ----- pass 2: cue verbs -----------------------------------------------------------------

    def in_quote_claim(self, tok: Token) -> bool:
        """The token is inside a quote already claimed as someone's direct speech."""
        for d in self.drafts:
            if d.kind == "direct" and d.content[0] <= tok.idx < d.content[1]:
                return True
        q = self.quote_at(tok.idx)
        return q is not None and len(self.text[q.start : q.end].split()) > 3

    def pass_verbs(self) -> None:
        for tok in self.verb_candidates:
            if tok.i in self.used_cues or not self.is_cue_verb(tok):
                continue
            if self.in_quote_claim(tok) or tok.dep_ in ("amod", "compound", "nmod"):
                continue  # quoted speech, or an adjective-like participle ("so-called", "stated aims")
            if tok.tag_ == "VB" and tok.dep_ in ("acl", "relcl"):
                continue  # "its commitment to defend South Korea": a purpose, not a report
            if (
                tok.dep_ == "xcomp"
                and tok.tag_ == "VB"
                and tok.head.lemma_.lower() in self.lex.non_speech_verbs
            ):
                continue  # "they continue to oppose", "she wants to say": an intention, not a report
            content = self.verb_content(tok)
            if content is None:
                continue
            span, roots = content
            span = self.cut_tail(span)
            d = Draft("indirect", span, cue=tok, cue_lemma=tok.lemma_.lower())
            d.cue_span = self._cue_extent(tok)
            self.set_speaker(d, self.subject_of(tok) or _inverted_subject(tok))
            inside = span[0] < d.cue_span[0] and d.cue_span[1] < span[1]  # "X, Y said, Z"
            if d.speaker is not None and _overlaps(d.speaker, span) and not inside:
                continue
            d.kind = self._kind_of(span)
            d.polarity_tokens = roots
            self.used_cues.add(tok.i)
            self.drafts.append(d)

    def pass_attitudes(self) -> None:
        """Beliefs and intentions with a clause or an infinitive: 'Democrats want to raise taxes',
        'the campaign plans to ...', 'she decided that ...'; and raising verbs, whose subject is
        part of the content: 'the lack of enthusiasm seems to be a real issue'."""
        for tok in self.attitude_candidates:
            if tok.i in self.used_cues or tok.pos_ != "VERB" or tok.dep_ in ("amod", "compound", "nmod"):
                continue
            if self.in_quote_claim(tok) or self.quote_at(tok.idx) is not None:
                continue  # "I want to ..." inside a quotation is the quote's business
            lemma = _attitude_lemma(tok)
            raising = lemma in self.lex.raising_verbs
            clause_only = lemma in self.lex.clause_cue_verbs
            deps = ("xcomp", "acomp", "oprd", "attr") if raising else ("ccomp",) if clause_only else ("xcomp", "ccomp")
            comp = next((c for c in tok.children if c.dep_ in deps and c.i > tok.i), None)
            if comp is None and raising:
                comp = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "like"), None)
            if comp is None:
                continue  # "it seems that", "wants a deal": no clause to attribute
            if self.is_cue_verb(comp) and lemma not in self.lex.non_speech_verbs:
                continue  # "appeared to suggest ...": the inner report is the claim
                # (pass_verbs leaves the report under a wish to this pass: "wanted to know whether")
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None and not raising:
                subj = self.subject_of(tok)
            if subj is None or subj.lower_ in _EXPLETIVES:
                continue
            tokens = self.contiguous(comp, self._own_reports(comp))
            if raising and tokens and subj.i < tok.i:
                first = subj.left_edge.i
                if subj.lower_ in _RELATIVE_PRONOUNS and tok.dep_ == "relcl" and tok.head.i < subj.i:
                    first = tok.head.left_edge.i  # "a ritual that may seem to be ...": what 'that' stands for
                tokens = self._run(first, tokens[-1].i)
            span = self.token_span(tokens)
            if span is None:
                continue
            span = self.cut_tail(self._widen_to_quotes(span))
            d = Draft("indirect", span, cue=tok, cue_lemma=lemma)
            d.cue_span = self._cue_extent(tok)
            if not raising:
                self.set_speaker(d, subj)
                if d.speaker is not None and _overlaps(d.speaker, span):
                    continue
            d.kind = self._kind_of(span)
            d.polarity_tokens = [tok, comp]
            self.used_cues.add(tok.i)
            self.drafts.append(d)

    def cut_tail(self, span: tuple[int, int]) -> tuple[int, int]:
        """Drop an appended remark after a comma or dash from reported (unquoted) content:
        '..., which the court has put on hold', '..., calling them boring', '... - two sisters ...'.
        The annotators leave these out; a quotation is never cut."""
        start, end = span
        if self.quote_at(start) is not None:
            return self.cut_after_quote(span)
        tokens = self.doc.char_span(start, end, alignment_mode="expand")
        if tokens is None:
            return span
        for tok in tokens[:-1]:
            if tok.text != "," or tok.idx - start < 15:
                continue
            nxt = tok.nbor(1)
            pair = (nxt.lower_, nxt.nbor(1).lower_) if nxt.i + 1 < len(self.doc) else None
            if (
                nxt.lower_ in _TAIL_WORDS
                or (nxt.lower_ in _TAIL_MARKS and nxt.dep_ == "mark" and _has_subject(nxt.head))
                or pair in _TAIL_PAIRS
                or (nxt.tag_ == "VBG" and nxt.dep_ in _TAIL_VBG_DEPS)
            ):
                if self.quote_at(tok.idx) is not None:
                    return span
                return self.trim(start, tok.idx) or span
        return span

    def cut_after_quote(self, span: tuple[int, int]) -> tuple[int, int]:
        """Content that opens with a quotation and runs on past it into a 'when ...', 'after ...'
        clause ends at the closing mark: the clause is the writer's setting of the words, never
        part of them. The quotation itself is kept whole."""
        start, end = span
        q = self.quote_at(start)
        if q is None or not q.closed or q.end >= end:
            return span
        rest = self.text[q.end : end].lstrip(" ,")
        if rest.split(" ", 1)[0].lower() not in _AFTER_QUOTE_WORDS:
            return span
        return self.trim(start, q.end) or span

    def _cue_extent(self, tok: Token) -> tuple[int, int]:
        return tok.idx, tok.idx + len(tok.text)

    def verb_content(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        colon = self._after_colon(verb)
        if colon is not None:
            return colon
        aside = self._as_clause_content(verb)
        if aside is not None:
            return aside
        lemma = verb.lemma_.lower()
        clause = [c for c in verb.children if c.dep_ in _CLAUSE_DEPS]
        right = [c for c in clause if c.i > verb.i and not (self.is_cue_verb(c) and _has_subject(c))]
        if not clause:
            clause = [c for c in verb.children if c.dep_ == "xcomp"]
            right = [c for c in clause if c.i > verb.i]
        elif right:
            near = _adjacent_infinitive(verb, right[0])
            if near is not None:
                clause = right = [near]
        if not clause:
            late = self._late_that_clause(verb)
            if late is not None:
                return late
        if clause:
            head = right[0] if right else clause[0]
            tokens = self.contiguous(head, self._own_reports(head))
            if head.dep_ in _CLAUSE_DEPS and len(right) > 1:
                tokens = self._join_clauses(tokens, right[1:])
            if head.dep_ in _CLAUSE_DEPS:
                tokens = self._stray_conjunct(verb, tokens)
            obj = next((c for c in verb.children if c.dep_ == "dobj" and verb.i < c.i < head.i), None)
            raised = next((c for c in verb.children if c.dep_ == "nsubjpass" and c.i < verb.i), None)
            if head.dep_ == "xcomp" and obj is not None and tokens:
                # "urged the department to process ...": the addressee belongs to the request
                tokens = self._run(obj.left_edge.i, tokens[-1].i)
            elif head.dep_ == "xcomp" and raised is not None and tokens and _agent_of(verb) is None:
                # "Clinton is expected to capture ...": what is expected is about the subject
                if raised.pos_ != "PRON" or raised.lower_ not in _RELATIVE_PRONOUNS:
                    tokens = self._run(raised.left_edge.i, tokens[-1].i)
            span = self.token_span(tokens)
            if span is None:
                return None
            return self._widen_to_quotes(span), [head]
        if verb.dep_ == "parataxis":
            return self._parenthetical_content(verb)
        passive = self._passive_content(verb)
        if passive is not None:
            return passive
        # noun-phrase content: "X denied the report", "X accused Y of ..."
        if lemma in self.lex.clause_only_verbs:
            return None
        objs = [c for c in verb.children if c.dep_ in ("dobj", "oprd") and c.i > verb.i]
        if not objs:
            topic = self._prep_object(verb)
            if topic is not None:
                return topic
        if lemma in _ADDRESSEE_VERBS or not objs:
            return self._clause_after(verb)
        obj = objs[0]
        # the object and whatever the verb takes after it: "showed Trump 16 points ahead in Iowa",
        # "called it the mark of a desperate candidate"
        tail = [c for c in verb.children if c.i > obj.i and c.dep_ in _NP_TAIL_DEPS and not _when(c)]
        if obj.pos_ == "PRON" and obj.lower_ in ("it", "this", "that", "so") and not tail:
            return None
        last = max([obj.right_edge.i] + [c.right_edge.i for c in tail])
        tokens = self._run(obj.left_edge.i, last)
        span = self.token_span(tokens)
        if span is None:
            return None
        return self._widen_to_quotes(span), [obj]

    def _join_clauses(self, tokens: list[Token], more: list[Token]) -> list[Token]:
        """'said Trump has X and his remark was Y': the parser hangs each conjoined clause on the
        cue as its own complement; the content runs on through every one that follows with only
        commas and conjunctions between."""
        if not tokens:
            return tokens
        last = tokens[-1].i
        for clause in more:
            part = self.contiguous(clause, self._own_reports(clause))
            if not part or part[0].i <= last:
                continue
            gap = self.doc[last + 1 : part[0].i]
            if any(not (t.is_punct or t.dep_ == "cc") or t.text in ";:" for t in gap):
                break
            if any("\n" in t.text_with_ws for t in self.doc[last : part[0].i]):
                break
            last = part[-1].i
        return self._run(tokens[0].i, last) if last > tokens[-1].i else tokens

    def _stray_conjunct(self, verb: Token, tokens: list[Token]) -> list[Token]:
        """'said she wanted to speak to them and let them know ...': a bare infinitive that the
        parser joined to a finite cue cannot be the cue's twin (the forms differ); it continues an
        infinitive of the content, so the content runs on through it."""
        if not tokens or verb.tag_ not in ("VBD", "VBZ", "VBP"):
            return tokens
        if not any(t.tag_ == "VB" for t in tokens):
            return tokens
        last = tokens[-1].i
        for child in verb.children:
            if child.dep_ != "conj" or child.tag_ != "VB" or child.i <= last or _has_subject(child):
                continue
            gap = self.doc[last + 1 : child.left_edge.i]
            if child.left_edge.i <= last or any(not (t.is_punct or t.dep_ == "cc") or t.text in ";:" for t in gap):
                return tokens
            if any("\n" in t.text_with_ws for t in self.doc[last : child.i]):
                return tokens
            return self._run(tokens[0].i, child.right_edge.i)
        return tokens

    def _as_clause_content(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """'As experts have pointed out, Y' and 'Y, as the mayor noted': a cue in an 'as' clause
        with no complement of its own reports the clause it hangs on. A verb that names only the
        act of speaking ('as the senator spoke, ...') makes the clause a time, not a report."""
        if verb.dep_ != "advcl" or verb.lemma_.lower() in self.lex.speech_act_verbs:
            return None
        if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i < verb.i for c in verb.children):
            return None
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
            return None  # "as expected", "as reported": no one said it
        if any(c.dep_ in ("ccomp", "xcomp", "dobj", "oprd") for c in verb.children):
            return None  # "as she said she would": the clause has content of its own
        head = verb.head
        if head.pos_ not in ("VERB", "AUX") or "\n" in self.doc[verb.i : head.i].text:
            return None
        own = {t.i for t in verb.subtree}
        tokens = self.contiguous(head, own | self._own_reports(head))
        span = self.token_span(tokens)
        if span is None or span[1] - span[0] < 10:
            return None
        return self._widen_to_quotes(span), [head]

    def _passive_content(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """'The meeting was first reported by Politico', 'the country described by the president':
        with a 'by' agent, what the passive is about is the content."""
        if _agent_of(verb) is None:
            return None
        target = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        exclude: set[int] = set()
        if target is None and verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            target = verb.head
            exclude = {t.i for t in verb.subtree}
        if target is None or target.lower_ in _RELATIVE_PRONOUNS or target.pos_ == "PRON":
            return None
        span = self.token_span(self.contiguous(target, exclude))
        if span is None:
            return None
        return self._widen_to_quotes(span), [verb]

    def _prep_object(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """'talked about the economy', 'called for a ban', 'warned of a crisis': the object of the
        preposition right after the cue is what the speaker addressed."""
        for child in verb.children:
            if child.dep_ != "prep" or child.i <= verb.i or child.i > verb.i + 6:
                continue
            if _when(child):
                continue  # "talked on Monday about ..."
            to_ok = child.lower_ == "to" and verb.lemma_.lower() in _TO_TOPIC_VERBS
            if child.lower_ not in _TOPIC_PREPS and not to_ok:
                return None
            pobj = next((g for g in child.children if g.dep_ in ("pobj", "pcomp")), None)
            if pobj is None:
                return None
            span = self.token_span(self._run(pobj.left_edge.i, pobj.right_edge.i))
            if span is None:
                return None
            return self._widen_to_quotes(span), [pobj]
        return None

    def _run(self, lo: int, hi: int) -> list[Token]:
        """Tokens lo..hi, cut at the first line break and without trailing punctuation."""
        doc = self.doc
        out: list[Token] = []
        for i in range(lo, hi + 1):
            out.append(doc[i])
            if "\n" in doc[i].text_with_ws:
                break
        while len(out) > 1 and out[-1].is_punct and out[-1].text not in '”"’)':
            out.pop()
        return out

    def _late_that_clause(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """'said following a vote in 2001 that he had ...', 'told customers at a diner that ...':
        the parser hung the reported clause on a nearby noun; take it from its ``that``/``if``."""
        doc = self.doc
        sent_end = self.sent(verb).end
        for i in range(verb.i + 1, min(sent_end, verb.i + 16)):
            tok = doc[i]
            if tok.text in (";", ".", "?", "!") or "\n" in tok.text_with_ws or self.is_cue_verb(tok):
                return None
            if tok.lower_ in ("that", "if", "whether") and tok.dep_ == "mark" and tok.head.i > tok.i:
                head = tok.head
                tokens = self._run(tok.i, max(head.right_edge.i, tok.i))
                span = self.token_span(tokens)
                if span is None:
                    return None
                return self._widen_to_quotes(span), [head]
        return None

    def _clause_after(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """'telling reporters on Thursday he viewed Obama as ...': a clause right after the cue
        phrase that the parser attached elsewhere."""
        doc = self.doc
        sent_end = self.sent(verb).end
        for i in range(verb.i + 1, min(sent_end, verb.i + 8)):
            tok = doc[i]
            if tok.text in (";", ".", "?", "!", ",", ":") or "\n" in tok.text_with_ws:
                return None
            if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("amod", "compound"):
                return None
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.i > tok.i and tok.head.i != verb.i:
                head = tok.head
                if self.is_cue_verb(head):
                    return None
                tokens = self._run(tok.left_edge.i, head.right_edge.i)
                span = self.token_span(tokens)
                if span is None or span[1] - span[0] < 10:
                    return None
                return self._widen_to_quotes(span), [head]
        return None

    def _parenthetical_content(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """``X, Mr. Abboud said, Y``: the clause around the parenthetical cue."""
        head = verb.head
        members = sorted(t.i for t in head.subtree)
        if not members:
            return None
        sent = self.sent(verb)
        lo, hi = max(members[0], sent.start), min(members[-1], sent.end - 1)
        verb_side = {t.i for t in verb.subtree}
        if all(i in verb_side for i in range(lo, hi + 1)):
            return None
        if verb.right_edge.i >= hi:
            hi = verb.left_edge.i - 1
        if verb.left_edge.i <= lo:
            lo = verb.right_edge.i + 1
        if hi < lo:
            return None
        span = self.token_span(self._run(lo, hi))
        if span is None or span[1] - span[0] < 10:
            return None
        return self._widen_to_quotes(span), [head]

    def _after_colon(self, verb: Token) -> tuple[tuple[int, int], list[Token]] | None:
        """``X said: ...`` up to the end of the sentence after the colon (or the quote there)."""
        i = verb.i + 1
        doc = self.doc
        steps = 0
        while i < len(doc) and steps < 4 and doc[i].text != ":":
            if doc[i].is_punct or "\n" in doc[i].text_with_ws:
                return None
            i += 1
            steps += 1
        if i >= len(doc) - 1 or doc[i].text != ":" or "\n" in doc[i].text_with_ws:
            return None
        start_tok = doc[i + 1]
        q = self.quote_at(start_tok.idx)
        if q is not None:
            return (q.start, q.end), self._roots_in(q.start, q.end)
        end_tok = start_tok
        for t in doc[start_tok.i :]:
            if "\n" in t.text_with_ws and t.i > start_tok.i:
                break
            end_tok = t
            if t.is_sent_end and t.i > start_tok.i + 2:
                break
        span = self.trim(start_tok.idx, end_tok.idx + len(end_tok.text))
        if span is None:
            return None
        return span, self._roots_in(*span)

    def _widen_to_quotes(self, span: tuple[int, int]) -> tuple[int, int]:
        """A content edge inside a quote moves to the quote's mark, so quotes are kept whole."""
        start, end = span
        q = self.quote_at(start)
        if q is not None and q.start < start:
            start = q.start
        q = self.quote_at(end - 1)
        if q is not None and q.end > end:
            end = q.end
        return start, end

    def _kind_of(self, span: tuple[int, int]) -> str:
        inside = [q for q in self.quotes if q.start < span[1] and span[0] < q.end]
        if not inside:
            return "indirect"
        if inside[0].start == span[0] and inside[-1].end >= span[1] - 1 and len(inside) == 1:
            return "direct"
        return "mixed"

    # ----- pass 3: according to --------------------------------------------------------------

    def pass_according(self) -> None:
        doc = self.doc
        for tok in self.according:
            if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
                continue
            to = doc[tok.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            pp_tokens = {t.i for t in tok.subtree} | {tok.i, to.i}
            if pobj is not None:
                pp_tokens |= {t.i for t in pobj.subtree}
            head = tok.head if tok.head is not tok else None
            sent = self.sent(tok)
            if head is None or head.i in pp_tokens:
                head = sent.root
            clause = [t for t in sent if t.i not in pp_tokens]
            # the clause: the sentence minus the "according to X" phrase, kept to one side of it
            before = [t for t in clause if t.i < tok.i]
            after = [t for t in clause if t.i > max(pp_tokens)]
            side = (
                before
                if len([t for t in before if not t.is_punct]) > len([t for t in after if not t.is_punct])
                else after
            )
            span = self.token_span(side)
            if span is None or span[1] - span[0] < 15:
                continue
            span = self._trim_end_punct(span)
            d = Draft("according_to", span, cue_lemma="according to")
            d.cue_span = (tok.idx, to.idx + len(to.text))
            if pobj is not None:
                self.set_speaker(d, pobj)
            d.polarity_tokens = [head] if head.i not in pp_tokens else []
            self.drafts.append(d)

    def _trim_end_punct(self, span: tuple[int, int]) -> tuple[int, int]:
        start, end = span
        while end > start + 1 and self.text[end - 1] in ".,;:":
            end -= 1
        return start, end

    # ----- pass 3b: "NAME: words" paragraphs (transcripts, headlines) ------------------------

    def pass_labels(self) -> None:
        """'TAPPER: And obviously, ...' or 'Clinton: Time for a new strategy': a paragraph that
        opens with a name and a colon is that speaker's words."""
        doc = self.doc
        for p_start, p_end in paragraphs(self.text):
            first = doc.char_span(p_start, p_start + 1, alignment_mode="expand")
            if first is None or not len(first):
                continue
            i = first[0].i
            label: list[Token] = []
            while i < len(doc) and len(label) <= 4 and doc[i].text != ":" and doc[i].idx < p_end:
                label.append(doc[i])
                i += 1
            if not label or i >= len(doc) or doc[i].text != ":" or len(label) > 4:
                continue
            if not all(
                t.pos_ == "PROPN" or (t.is_upper and t.is_alpha) or t.text in (".", "-") for t in label
            ):
                continue
            colon = doc[i]
            span = self.trim(colon.idx + 1, p_end)
            if span is None or len(self.text[span[0] : span[1]].split()) < 3:
                continue
            if any(d.content[0] <= span[0] < d.content[1] for d in self.drafts):
                continue
            span = self._trim_end_punct(span)
            first_word = doc.char_span(span[0], span[1], alignment_mode="expand")
            lead = first_word[0].lemma_.lower() if first_word is not None and len(first_word) else ""
            # "North Korea: Denies Sending Arms": a headline whose verb is the denial
            d = Draft("indirect", span, cue_lemma="deny" if lead in self.lex.denial_cues else ":")
            d.cue_span = (colon.idx, colon.idx + 1)
            d.speaker = (label[0].idx, label[-1].idx + len(label[-1].text))
            d.speaker_head = label[-1]
            d.kind = self._kind_of(span)
            d.polarity_tokens = self._roots_in(*span)
            self.drafts.append(d)

    # ----- pass 4: cue nouns -----------------------------------------------------------------

    def pass_nouns(self) -> None:
        for tok in self.noun_candidates:
            if tok.pos_ != "NOUN" or tok.lemma_.lower() not in self.lex.cue_nouns:
                continue
            clause = None
            for child in tok.children:
                if child.dep_ in ("acl", "ccomp", "relcl") and child.i > tok.i:
                    if any(g.dep_ == "mark" and g.lower_ == "that" for g in child.children):
                        clause = child
                        break
                    if child.dep_ == "acl" and child.tag_ == "VB" and tok.lemma_.lower() in self.lex.infinitive_nouns:
                        clause = child  # "his promise to build a wall"
                        break
            if clause is None and tok.lemma_.lower() in self.lex.object_nouns:
                clause = self._noun_object(tok)
            if clause is None:
                continue
            span = self.token_span(self.contiguous(clause))
            if span is None:
                continue
            d = Draft("indirect", self._widen_to_quotes(span), cue=tok, cue_lemma=tok.lemma_.lower())
            d.cue_span = (tok.idx, tok.idx + len(tok.text))
            speaker = None
            for child in tok.children:
                if child.dep_ == "poss":
                    speaker = child
                elif child.dep_ == "prep" and child.lower_ in ("by", "from") and child.i < clause.i:
                    speaker = next((g for g in child.children if g.dep_ == "pobj"), None)
                elif child.dep_ == "compound" and child.pos_ == "PROPN" and speaker is None:
                    speaker = child
            if speaker is not None:
                self.set_speaker(d, speaker)
            d.kind = self._kind_of(d.content)
            d.polarity_tokens = [clause]
            self.drafts.append(d)

    def _noun_object(self, noun: Token) -> Token | None:
        """'criticism of the plan', 'support for Clinton': the object of the noun's preposition,
        when someone holds the position (a possessive or a 'by'/'from' phrase names them)."""
        holder = any(
            c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("by", "from")) for c in noun.children
        )
        if not holder:
            return None
        for child in noun.children:
            if child.dep_ == "prep" and child.i > noun.i and child.lower_ in _OBJECT_PREPS:
                return next((g for g in child.children if g.dep_ in ("pobj", "pcomp")), None)
        return None

    # ----- assembling ------------------------------------------------------------------------

    def drop_nested(self) -> list[Draft]:
        """Drop drafts whose cue lies inside another (non ``according to``) draft's content."""
        keep: list[Draft] = []
        outers = sorted(
            (d for d in self.drafts if d.kind != "according_to"), key=lambda d: d.content[0] - d.content[1]
        )
        for d in self.drafts:
            anchor = d.cue_span or d.content
            nested = False
            for o in outers:
                if o is d or o.content[1] - o.content[0] <= d.content[1] - d.content[0]:
                    continue
                if o.content[0] <= anchor[0] and anchor[1] <= o.content[1]:
                    # the report must sit in the other claim's content, not just its cue
                    inside = min(o.content[1], d.content[1]) - max(o.content[0], d.content[0])
                    if inside * 2 >= d.content[1] - d.content[0]:
                        nested = True
                        break
            if not nested:
                keep.append(d)
        keep.sort(key=lambda d: d.content)
        # identical content twice (a verb and a noun cue over one clause): keep the first found
        out: list[Draft] = []
        seen: set[tuple[int, int]] = set()
        for d in keep:
            if d.content in seen:
                continue
            seen.add(d.content)
            out.append(d)
        return out


def _attitude_lemma(tok: Token) -> str:
    """The lemma, mending the tagger's 'hopes' -> 'hop'."""
    lemma = tok.lemma_.lower()
    return "hope" if lemma == "hop" and tok.lower_.startswith("hope") or tok.lower_ == "hoping" else lemma


def _role_text(tokens: list[Token]) -> str:
    words = [t for t in tokens if not t.is_punct]
    while words and words[0].dep_ == "det":
        words.pop(0)
    if not words:
        return ""
    return words[0].doc[words[0].i : words[-1].i + 1].text


def _propn_in(tokens: list[Token], fallback: Token) -> Token:
    for t in reversed(tokens):
        if t.pos_ == "PROPN":
            return t
    return fallback


def _agent_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _inverted_subject(verb: Token) -> Token | None:
    """``said the official`` parsed without a subject: the noun right after the cue."""
    for child in verb.children:
        if (
            child.i > verb.i
            and child.dep_ in ("dobj", "npadvmod", "attr", "nsubj", "dep")
            and child.pos_
            in (
                "PROPN",
                "NOUN",
                "PRON",
            )
        ):
            return child
    return None


def _adjacent_infinitive(verb: Token, clause: Token) -> Token | None:
    """'promising to lift the rules ... - what no one had in mind': an infinitive right after the
    cue is its content, and a clause the parser hung on the cue beyond it is not."""
    for child in verb.children:
        if child.dep_ != "xcomp" or not verb.i < child.i < clause.i or child.left_edge.i > verb.i + 2:
            continue
        infinitive = any(t.dep_ == "aux" and t.lower_ == "to" for t in child.children)
        if infinitive and child.right_edge.i < clause.left_edge.i:
            return child
    return None


def _paragraph_breaks(between: str) -> int:
    """How many paragraph breaks (runs of line breaks) a stretch of text holds."""
    count = 0
    in_break = False
    for ch in between:
        if ch == "\n":
            if not in_break:
                count += 1
            in_break = True
        elif not ch.isspace():
            in_break = False
    return count


def _when(prep: Token) -> bool:
    """'on Thursday', 'in 2012': a time adjunct of the cue, not part of what was said."""
    if prep.dep_ != "prep":
        return False
    return any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in prep.children)


def _has_subject(tok: Token) -> bool:
    return any(c.dep_ in _SUBJECTS for c in tok.children)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _negated(tokens: list[Token]) -> bool:
    for t in tokens:
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if t.lower_ in ("never", "no", "not", "n't", "nothing", "none") and t.dep_ in ("neg", "det", "dobj"):
            return True
    return False


def _entities(ents: list[Span], start: int, end: int) -> tuple[str, ...]:
    out: list[str] = []
    for ent in ents:
        if ent.label_ in _ENTITY_LABELS and start <= ent.start_char and ent.end_char <= end:
            if ent.text not in out:
                out.append(ent.text)
    return tuple(out)


def claims_from_doc(doc: Doc, offset: int = 0, lang: str = "en") -> Iterator[Claim]:
    """Yield the claims of a parsed document; ``offset`` is added to every character offset."""
    if len(doc) and not doc.has_annotation("DEP"):
        raise ValueError(
            "claim extraction needs a dependency parse: use a spaCy pipeline with a parser "
            "(pipeline.claims.load_nlp() loads one)"
        )
    lex = load_lexicon(lang)
    rules = _DocRules(doc, lex)
    rules.pass_quotes()
    rules.pass_verbs()
    rules.pass_attitudes()
    rules.pass_according()
    rules.pass_nouns()
    rules.pass_labels()
    rules.pass_trailing_quotes()
    rules.pass_floating()
    drafts = rules.drop_nested()
    resolved = resolve_speakers(doc, drafts, rules.ents)
    text = rules.text
    for d, speaker_resolved in zip(drafts, resolved, strict=True):
        c_start, c_end = d.content
        lemma = d.cue_lemma
        denies = (lemma in lex.denial_cues if lemma else False) or _negated(d.polarity_tokens)
        speaker = d.speaker
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
            entities=_entities(rules.ents, c_start, c_end),
            speaker_role=d.role or None,
            cue_strength=lex.strength_of(lemma) if cue else None,
        )
