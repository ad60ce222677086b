"""Claim clusters: claims that state one proposition, across articles and outlets.

The default method needs nothing beyond the core install:

* **terms**: the content's words, lower-cased and crudely stemmed, without function words and
  without negations, so "he did not pay taxes" and "he paid taxes" have the same terms;
* **blocking**: a new claim is compared only with clusters that share its canonical speaker or one
  of its rarer terms, inside a time window, so the work per claim does not grow with the store;
* **scoring**: IDF-weighted Jaccard of the terms against each member of a candidate cluster, with
  at least two shared terms. The bar depends on who speaks: lower for the same canonical speaker,
  high when one speaker is unknown, in between for an assertion against a denial (a contradiction
  may come from anyone); two different known speakers who agree are never linked (one proposition
  from two speakers is two claims);
* **stance**: a claim's sign is its polarity (the extractor marks denial cues and negated main
  clauses as "denies"); its stance in the cluster is "+" when the sign matches the cluster's first
  claim, else "-".

Clusters are incremental with stable ids: :func:`assign` takes new claims and the state built so
far, puts each claim in the best cluster or starts one (its id a hash of the founding claim's id).
Unrelated claims never move or rename earlier ones. With ``Params.merge`` (the semantic methods),
a new claim that clears the bar in two clusters folds them into the one founded first, so the
later cluster's claims take its id (listed in ``ClusterState.merges`` for the store). A claim
already assigned keeps its assignment, so a re-run adds nothing. A claim that cannot be compared
gets ``cluster_id=None`` and a reason.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.compare.semantic import Encoder, Vector, cosine
from pipeline.compare.wording import ACT, claim_sign, content_terms, is_act, proposition_sign

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Params:
    """Thresholds of the lexical method (chosen by reasoning about the scores, see docs/COMPARISON.md)."""

    same_speaker: float = 0.20  # IDF-Jaccard bar for two claims of the same canonical speaker
    # or, for the same speaker, the share of the shorter claim's IDF weight the two share: a short
    # report ("her actions 'extremely careless'") inside a longer one of the same words
    same_speaker_contained: float = 0.50
    opposite: float = 0.30  # for an assertion against a denial, whoever speaks
    # two different (or unknown) speakers saying the same thing are two claims, not one: a claim is
    # a proposition *and* who asserts it, so by default they are never linked (math.inf)
    other: float = math.inf
    unknown: float = 0.60  # when one side's speaker is unknown and both have the same stance
    min_shared: int = 2  # shared terms needed in every case
    min_shared_other: int = 3  # shared terms needed between different or unknown speakers
    min_terms: int = 2  # a claim with fewer content terms is left unclustered
    window_days: int = 31  # candidates must be this close in time (when both dates are known)
    block_max: int = 500  # a term shared by more clusters than this does not open a block
    method: str = "lexical"  # "lexical" (terms), "semantic" (embedding cosine) or "hybrid" (cosine + terms)
    merge: bool = False  # a claim that clears the bar in two clusters joins them into the older one


SEMANTIC = Params(
    same_speaker=0.55,
    same_speaker_contained=math.inf,
    opposite=0.70,
    unknown=0.85,
    min_shared=0,
    min_shared_other=1,
    method="semantic",
    merge=True,
)
"""Thresholds for the semantic method: cosines of all-MiniLM-L6-v2 embeddings."""

HYBRID = Params(
    same_speaker=0.85,
    same_speaker_contained=math.inf,
    opposite=1.0,
    unknown=1.3,
    min_shared=1,
    min_shared_other=1,
    method="hybrid",
    merge=True,
)
"""Thresholds for the hybrid method: the cosine plus the lexical IDF-Jaccard (0 to 2), set on
hand-labelled PolNeAR train pairs (see docs/COMPARISON.md)."""


def params_for(method: str) -> Params:
    """The thresholds of a clustering method by name: "lexical", "semantic" or "hybrid"."""
    table = {"lexical": Params(), "semantic": SEMANTIC, "hybrid": HYBRID}
    if method not in table:
        raise ValueError(f"unknown clustering method {method!r}: use 'lexical', 'semantic' or 'hybrid'")
    return table[method]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one claim went: its cluster and stance, or no cluster and the reason."""

    claim_id: str
    cluster_id: str | None
    stance: str | None  # "+" or "-" relative to the cluster's first claim
    sign: int  # the claim's own sign (claim_sign): +1 asserts, -1 denies
    reason: str | None = None  # why cluster_id is None, or how the claim joined ("new", "joined")
    score: float | None = None  # similarity to the member it joined through

    def to_dict(self) -> dict[str, Any]:
        """The assignment as a plain dict."""
        return {
            "claim_id": self.claim_id,
            "cluster_id": self.cluster_id,
            "stance": self.stance,
            "sign": self.sign,
            "reason": self.reason,
            "score": self.score,
        }


@dataclass(slots=True)
class _Member:
    claim_id: str
    doc_id: str | None
    speaker_id: str | None
    terms: frozenset[str]
    day: int | None
    sign: int  # proposition_sign: the side of the positive proposition the claim is on
    vector: Vector | None = None


@dataclass(slots=True)
class _Cluster:
    cluster_id: str
    sign: int  # the founding claim's proposition_sign: stance is relative to it
    members: list[_Member] = field(default_factory=list)
    # (day, claim id) of the founding claim when it is held; a restored cluster whose founder lies
    # outside the rows given (before the time window) is older than any that shows its founder
    founded: tuple[int, float, str] | None = None  # (day, moment, claim id)


@dataclass(slots=True)
class ClusterState:
    """Everything :func:`assign` needs from earlier runs; rebuild it with :meth:`restore`."""

    params: Params = field(default_factory=Params)
    clusters: dict[str, _Cluster] = field(default_factory=dict)
    assigned: dict[str, Assignment] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=dict)  # term -> cluster ids
    by_speaker: dict[str, set[str]] = field(default_factory=dict)  # speaker id -> cluster ids
    df: Counter[str] = field(default_factory=Counter)  # term -> claims containing it
    merges: list[tuple[str, str, int]] = field(default_factory=list)  # (folded id, kept id, +1 keep / -1 turn stances)
    n_claims: int = 0
    _idf: dict[str, float] = field(default_factory=dict, repr=False)
    _idf_at: int = -1

    @classmethod
    def restore(
        cls, rows: Iterable[Mapping[str, Any]], params: Params | None = None, encode: Encoder | None = None
    ) -> ClusterState:
        """State from stored rows: each a claim (as :func:`assign` takes it) plus its ``cluster_id``,
        ``stance`` and ``sign`` (and ``reason`` for an unclustered claim). The semantic method needs
        ``encode`` to embed the stored contents again."""
        state = cls(params=params or Params())
        rows = list(rows)
        vectors = _vectors(rows, state.params, encode)
        for row in rows:
            claim_id = str(row["claim_id"])
            terms = content_terms(row.get("content") or "")
            sign = proposition_sign(row)
            own = int(row.get("sign") or claim_sign(row))
            a = Assignment(claim_id, row.get("cluster_id"), row.get("stance"), own, row.get("reason"))
            state.assigned[claim_id] = a
            state.df.update(terms)
            state.n_claims += 1
            if a.cluster_id is None:
                continue
            cluster = state.clusters.get(a.cluster_id)
            if cluster is None:
                founder_sign = sign if a.stance in (None, "+") else -sign
                cluster = state.clusters[a.cluster_id] = _Cluster(a.cluster_id, founder_sign)
            if a.reason == "new":
                day = _day(row.get("date"))
                cluster.founded = (day if day is not None else 10**9, _moment(row.get("date")), claim_id)
            state._add(cluster, _member(row, claim_id, terms, sign, vectors.get(claim_id)))
        return state

    def _add(self, cluster: _Cluster, member: _Member) -> None:
        cluster.members.append(member)
        for t in member.terms:
            self.postings.setdefault(t, set()).add(cluster.cluster_id)
        if member.speaker_id:
            self.by_speaker.setdefault(member.speaker_id, set()).add(cluster.cluster_id)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term over the claims seen so far."""
        if self._idf_at != self.n_claims:
            self._idf.clear()
            self._idf_at = self.n_claims
        value = self._idf.get(term)
        if value is None:
            value = self._idf[term] = math.log((self.n_claims + 1) / (self.df.get(term, 0) + 1)) + 1.0
        return value


def _day(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().toordinal()
    if isinstance(value, date):
        return value.toordinal()
    try:
        return date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return None


def _moment(value: Any) -> float:
    """Seconds since the epoch of a timestamp (a datetime or an ISO string with a time), else 0.0:
    orders the claims of one day by the time they were published."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str) and len(value) > 10:
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def _member(
    claim: Mapping[str, Any], claim_id: str, terms: frozenset[str], sign: int, vector: Vector | None = None
) -> _Member:
    return _Member(claim_id, claim.get("doc_id"), claim.get("speaker_id"), terms, _day(claim.get("date")), sign, vector)


def _vectors(rows: Sequence[Mapping[str, Any]], p: Params, encode: Encoder | None) -> dict[str, Vector]:
    """Embeddings of the rows' contents when the method is semantic, else nothing."""
    if p.method == "lexical":
        return {}
    if p.method not in ("semantic", "hybrid"):
        raise ValueError(f"unknown clustering method {p.method!r}: use 'lexical', 'semantic' or 'hybrid'")
    if encode is None:
        raise ValueError("the semantic method needs an encoder: pass encode=pipeline.compare.semantic.load_encoder()")
    texts = [(str(r["claim_id"]), r.get("content") or "") for r in rows if (r.get("content") or "").strip()]
    return dict(zip((cid for cid, _ in texts), encode([t for _, t in texts]), strict=True))


def cluster_id_for(claim_id: str) -> str:
    """The id of a cluster founded by ``claim_id``: a hash, so it never depends on arrival order."""
    return "cl-" + hashlib.sha256(claim_id.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- assignment


def similarity(a: frozenset[str], b: frozenset[str], state: ClusterState) -> tuple[float, int]:
    """IDF-weighted Jaccard of two term sets, and the number of terms they share."""
    shared = a & b
    if not shared:
        return 0.0, 0
    idf = state.idf
    inter = sum(idf(t) for t in shared)
    union = sum(idf(t) for t in a) + sum(idf(t) for t in b) - inter
    return inter / union, len(shared)


def containment(a: frozenset[str], b: frozenset[str], state: ClusterState) -> float:
    """The IDF weight two term sets share over the weight of the smaller one (0 to 1)."""
    shared = a & b
    if not shared:
        return 0.0
    idf = state.idf
    return sum(idf(t) for t in shared) / min(sum(idf(t) for t in a), sum(idf(t) for t in b))


def _bar(m: _Member, speaker_id: str | None, sign: int, p: Params) -> float:
    if speaker_id is not None and m.speaker_id == speaker_id:
        # one speaker's two wordings: a sign that differs is far more often a negation the sign rule
        # misread than the speaker contradicting themselves, so the same bar holds
        return p.same_speaker
    if m.sign != sign:
        return p.opposite
    if speaker_id is None or m.speaker_id is None:
        return p.unknown
    return p.other


def _candidates(terms: frozenset[str], speaker_id: str | None, state: ClusterState) -> set[str]:
    p = state.params
    found: set[str] = set()
    if speaker_id and p.min_shared == 0:
        # only a method that can link claims sharing no term needs the whole speaker block
        found |= state.by_speaker.get(speaker_id, set())
    for t in terms:
        ids = state.postings.get(t)
        if ids and len(ids) <= p.block_max:
            found |= ids
    return found


def assign(
    new_claims: Sequence[Mapping[str, Any]], state: ClusterState, encode: Encoder | None = None
) -> list[Assignment]:
    """Cluster ``new_claims`` against ``state`` (updated in place); one :class:`Assignment` per claim,
    in the order given.

    Each claim is a mapping with ``claim_id`` and ``content``, and optionally ``doc_id``,
    ``speaker_id``, ``polarity`` ("asserts"/"denies"), ``cue`` (an act's cue keeps it out) and
    ``date`` (ISO string or date). New claims are
    taken in (date, time, claim_id) order, so the result does not depend on how a batch was listed.
    With the semantic method (``state.params.method == "semantic"``) ``encode`` embeds the contents
    and the score is their cosine; blocking stays lexical and by speaker."""
    p = state.params
    fresh: dict[str, tuple[Mapping[str, Any], frozenset[str]]] = {}
    for c in new_claims:
        cid = str(c["claim_id"])
        if cid in state.assigned or cid in fresh:
            continue
        terms = content_terms(c.get("content") or "")
        fresh[cid] = (c, terms)
    for _, terms in fresh.values():
        state.df.update(terms)
    state.n_claims += len(fresh)
    vectors = _vectors([c for c, _ in fresh.values()], p, encode)

    def order(cid: str) -> tuple[int, float, str]:
        """Sort key of a new claim: its day (undated last), its time that day, then its id: the
        claim published first founds the cluster, so stance is relative to the first-seen claim."""
        when = fresh[cid][0].get("date")
        day = _day(when)
        return (day if day is not None else 10**9, _moment(when), cid)

    for cid in sorted(fresh, key=order):
        claim, terms = fresh[cid]
        own = claim_sign(claim)
        sign = proposition_sign(claim)
        if not (claim.get("content") or "").strip():
            state.assigned[cid] = Assignment(cid, None, None, own, "no content")
            continue
        if len(terms) < p.min_terms:
            state.assigned[cid] = Assignment(cid, None, None, own, f"fewer than {p.min_terms} content words")
            continue
        if is_act(claim.get("cue")):
            state.assigned[cid] = Assignment(cid, None, None, own, ACT)
            continue
        speaker_id = claim.get("speaker_id")
        day = _day(claim.get("date"))
        vector = vectors.get(cid)
        hits: dict[str, float] = {}  # cluster id -> its best member's score, for clusters over the bar
        for cluster_id in sorted(_candidates(terms, speaker_id, state)):
            cluster = state.clusters[cluster_id]
            for m in cluster.members:
                if day is not None and m.day is not None and abs(day - m.day) > p.window_days:
                    continue
                sim, shared = similarity(terms, m.terms, state)
                if vector is not None and m.vector is not None:
                    sim = cosine(vector, m.vector) + (sim if p.method == "hybrid" else 0.0)
                same = speaker_id is not None and m.speaker_id == speaker_id
                if same and sim < p.same_speaker and containment(terms, m.terms, state) >= p.same_speaker_contained:
                    sim = p.same_speaker  # one speaker's short report of what they said at length
                if shared < (p.min_shared if same else p.min_shared_other) or sim < _bar(m, speaker_id, sign, p):
                    continue
                hits[cluster_id] = max(sim, hits.get(cluster_id, sim))
        ranked = sorted(hits, key=lambda k: (-hits[k], k))  # best first; a tie goes to the smaller id
        if not ranked:
            founded = (day if day is not None else 10**9, _moment(claim.get("date")), cid)
            cluster = _Cluster(cluster_id_for(cid), sign, founded=founded)
            state.clusters[cluster.cluster_id] = cluster
            a = Assignment(cid, cluster.cluster_id, "+", own, "new")
        else:
            joined = ranked[0]
            if p.merge and len(ranked) > 1:
                # the two clusters it matches best become one; a claim never chains a whole block
                joined = _merge(state, set(ranked[:2]))
            cluster = state.clusters[joined]
            stance = "+" if sign == cluster.sign else "-"
            a = Assignment(cid, cluster.cluster_id, stance, own, "joined", round(hits[ranked[0]], 4))
        state._add(cluster, _member(claim, cid, terms, sign, vectors.get(cid)))
        state.assigned[cid] = a
    return [state.assigned[str(c["claim_id"])] for c in new_claims]


def _merge(state: ClusterState, ids: set[str]) -> str:
    """Fold the clusters ``ids`` into the one founded first and return its id. Moved claims keep
    their sign and take their stance from the kept cluster's founder; each fold is listed in
    ``state.merges``, so a store can move the folded cluster's rows the state does not hold."""

    def founded(cid: str) -> tuple[int, float, str]:
        """Sort key of a cluster: its founder's day and claim id; a founder out of sight sorts first."""
        return state.clusters[cid].founded or (-1, 0.0, "")

    keep_id = min(ids, key=lambda cid: (founded(cid), cid))
    keep = state.clusters[keep_id]
    for cid in sorted(ids - {keep_id}):
        gone = state.clusters.pop(cid)
        for m in gone.members:
            state._add(keep, m)
            old = state.assigned[m.claim_id]
            stance = "+" if m.sign == keep.sign else "-"
            reason = "merged" if old.reason == "new" else old.reason  # a folded founder founds nothing now
            state.assigned[m.claim_id] = Assignment(m.claim_id, keep_id, stance, old.sign, reason, old.score)
        # the rows of the folded cluster a store holds beyond this state keep their stance when the two
        # founders are on one side of the proposition, and turn it over when they are not
        state.merges.append((cid, keep_id, 1 if gone.sign == keep.sign else -1))
        for t in {t for m in gone.members for t in m.terms}:
            state.postings.get(t, set()).discard(cid)
        for s in {m.speaker_id for m in gone.members if m.speaker_id}:
            state.by_speaker.get(s, set()).discard(cid)
    return keep_id


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two claims of one cluster, from different articles: one on the side of the cluster's first
    claim (``asserting_claim_id``), one disputing it (``denying_claim_id``)."""

    cluster_id: str
    asserting_claim_id: str
    denying_claim_id: str
    asserting_speaker_id: str | None = None
    denying_speaker_id: str | None = None


def speaker_key(speaker_id: str | None, claim_id: str) -> str:
    """A claim's speaker for alert bounding: its canonical id, or ``claim:<id>`` when it has none."""
    return speaker_id if speaker_id is not None else "claim:" + claim_id


def _opposed(a: _Member, d: _Member) -> bool:
    if a.doc_id is not None and a.doc_id == d.doc_id:
        return False
    # one speaker's two signs: a misread negation far more often than a reversal
    return a.speaker_id is None or a.speaker_id != d.speaker_id


def contradictions(state: ClusterState) -> list[Contradiction]:
    """Every cross-article pair with opposite stance inside one cluster, in a stable order.

    Their number grows with the square of a cluster: what a run alerts on is :func:`alert_pairs`."""
    out: list[Contradiction] = []
    for cluster_id in sorted(state.clusters):
        cluster = state.clusters[cluster_id]
        # the side of the cluster's first claim, and the side disputing it (the stored stances)
        pos = [m for m in cluster.members if m.sign == cluster.sign]
        neg = [m for m in cluster.members if m.sign != cluster.sign]
        out.extend(
            Contradiction(cluster_id, a.claim_id, d.claim_id, a.speaker_id, d.speaker_id)
            for a in pos
            for d in neg
            if _opposed(a, d)
        )
    return out


def alert_pairs(
    state: ClusterState,
    fresh: set[str],
    every_pair_of: set[str],
    alerted: Mapping[str, set[tuple[str, str]]],
    held: Mapping[str, int],
    max_per_cluster: int,
) -> Iterator[Contradiction]:
    """The contradictions a run alerts on, bounded by what a reader can act on.

    Same pairs as :func:`contradictions` (opposite stance in one cluster, two articles, two
    speakers), restricted to clusters in ``every_pair_of`` (folded this run: any pair may be new)
    or to pairs with a claim in ``fresh``; of these, at most one per (cluster, asserting speaker,
    denying speaker), none for a speaker pair already in ``alerted[cluster]`` (the stored alerts),
    and no more per cluster than ``max_per_cluster`` less the ``held[cluster]`` alerts it holds. The walk stops at a
    cluster's bound, so its cost follows the alerts written, not the square of the cluster, when
    pairs are there to alert on."""
    for cluster_id in sorted(state.clusters):
        seen = set(alerted.get(cluster_id, ()))
        room = max_per_cluster - held.get(cluster_id, len(seen))
        if room <= 0:
            continue
        cluster = state.clusters[cluster_id]
        everything = cluster_id in every_pair_of
        if not everything and not any(m.claim_id in fresh for m in cluster.members):
            continue
        pos = _by_speaker([m for m in cluster.members if m.sign == cluster.sign], fresh)
        neg = _by_speaker([m for m in cluster.members if m.sign != cluster.sign], fresh)
        for a_key, asserting in pos.items():
            if room <= 0:
                break
            for d_key, denying in neg.items():
                if room <= 0:
                    break
                if a_key == d_key or (a_key, d_key) in seen:
                    continue
                found = _first_opposed(asserting, denying, fresh, everything)
                if found is None:
                    continue
                seen.add((a_key, d_key))
                room -= 1
                a, d = found
                yield Contradiction(cluster_id, a.claim_id, d.claim_id, a.speaker_id, d.speaker_id)


def _by_speaker(members: list[_Member], fresh: set[str]) -> dict[str, list[_Member]]:
    """Members grouped by speaker key; groups and members holding new claims first, then in claim order."""
    groups: dict[str, list[_Member]] = {}
    for m in sorted(members, key=lambda m: (m.claim_id not in fresh, m.claim_id)):
        groups.setdefault(speaker_key(m.speaker_id, m.claim_id), []).append(m)
    return groups


def _first_opposed(
    asserting: list[_Member], denying: list[_Member], fresh: set[str], everything: bool
) -> tuple[_Member, _Member] | None:
    """The first (assertion, denial) of two speakers' claims that contradict, with a new claim unless
    ``everything``; both lists hold their new claims first."""
    new_denials = [d for d in denying if d.claim_id in fresh]
    for a in asserting:
        for d in denying if everything or a.claim_id in fresh else new_denials:
            if _opposed(a, d):
                return a, d
    return None
