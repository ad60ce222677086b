"""One compare run as a pure function: new claims and the stored state in, the rows to write out.

:func:`compare_claims` takes the claims of the articles that hold new claims (rows as
``pipeline.store.compare`` reads them), those articles' texts, and what earlier runs stored (the
cluster assignments within the time window, every canonical speaker and entity), and returns a
:class:`CompareResult`: the speakers, entities, cluster assignments and contradictions to write.
Nothing here touches the database; ``pipeline.stages.compare`` reads, calls this, and writes.

It composes the two public steps of this package, :func:`~pipeline.compare.canonical_speakers`
(with the registry restored from the stored speakers, so ids and the one-bearer surname rule carry
over between runs) and :func:`~pipeline.compare.assign` (with :meth:`ClusterState.restore`), and
adds entity ids through :mod:`pipeline.compare.entities`: in the article, a mention takes the
fullest form the article gives for it ("Harlow" joins "Harlow River" when that is the only longer
name it fits); across articles the form is keyed like a speaker name (case, accents, a leading
"the" and a possessive ending ignored; the country table and the alias file applied), so "the
Harlow River" and "Harlow River" are one ``entity:harlow-river``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.compare.aliases import AliasEntry, load_alias_file
from pipeline.compare.clusters import Assignment, ClusterState, Params, alert_pairs, assign
from pipeline.compare.entities import EntityRegistry, resolve_entities
from pipeline.compare.semantic import Encoder
from pipeline.compare.speakers import Speaker, SpeakerRegistry, canonical_speakers
from pipeline.compare.wording import content_terms

DEFAULT_MAX_ALERTS_PER_CLUSTER = 20  # Settings.max_alerts_per_cluster


def restore_registry(
    stored: Iterable[Mapping[str, Any]], aliases: Mapping[str, AliasEntry] | None = None
) -> SpeakerRegistry:
    """A :class:`SpeakerRegistry` holding the stored speakers, so their ids and names carry over and a
    bare surname can join the one stored person who bears it."""
    registry = SpeakerRegistry(aliases)
    for row in stored:
        sp = Speaker(str(row["speaker_id"]), str(row["name"]), str(row["kind"]), tuple(row.get("aliases") or ()))
        registry.speakers[sp.speaker_id] = sp
    registry.learn(
        sp.name
        for sp in registry.speakers.values()
        if (sp.kind == "person" and " " in sp.name) or sp.kind == "organisation"
    )
    return registry


@dataclass(slots=True)
class CompareResult:
    """The rows one compare run writes, and the numbers of its summary.

    :func:`resolve_new` fills the speakers, entities and ``batch`` (the new claims as
    :func:`~pipeline.compare.assign` takes them, with their ``terms``); :func:`cluster_new` the
    assignments and alerts."""

    speakers: list[dict[str, Any]] = field(default_factory=list)
    claim_speakers: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    claim_entities: list[dict[str, Any]] = field(default_factory=list)
    batch: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    # (folded id, kept id, +1 keep / -1 turn the stances over), in order
    merges: list[tuple[str, str, int]] = field(default_factory=list)
    n_restored: int = 0

    def reasons(self) -> dict[str, int]:
        """How many new claims started a cluster, joined one, or stayed out (by reason)."""
        out: dict[str, int] = {}
        for a in self.assignments:
            key = a.reason or ("joined" if a.cluster_id else "unclustered")
            out[key] = out.get(key, 0) + 1
        return out

    def block_keys(self) -> tuple[list[str], list[str]]:
        """The terms and speaker ids of the new claims: what selects the stored clusters to restore."""
        terms = sorted({t for c in self.batch for t in c["terms"]})
        speakers = sorted({c["speaker_id"] for c in self.batch if c["speaker_id"]})
        return terms, speakers

    def assignment_rows(self) -> list[dict[str, Any]]:
        """The assignments as ``claim_clusters`` rows, each with its claim's terms."""
        terms = {c["claim_id"]: sorted(c["terms"]) for c in self.batch}
        return [{**a.to_dict(), "terms": terms.get(a.claim_id, [])} for a in self.assignments]


_AGENT = re.compile(r"(.+) \((\w+)\)$")


def resolve_new(
    claims: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
    stored_speakers: Iterable[Mapping[str, Any]] = (),
    stored_entities: Iterable[Mapping[str, Any]] = (),
    aliases: Mapping[str, AliasEntry] | None = None,
) -> CompareResult:
    """Canonical speakers and entities of the new claims among ``claims``, and the new claims as
    :func:`~pipeline.compare.assign` takes them (``result.batch``).

    ``claims`` are every claim of the articles concerned (keys: claim_id, article_id, seen_at,
    speaker, speaker_resolved, speaker_start, content, content_start, polarity, entities, is_new);
    the old ones give in-article context (the named mayor, the last person speaking) and are not
    resolved again."""
    aliases = load_alias_file() if aliases is None else aliases
    registry = restore_registry(stored_speakers, aliases)
    before = dict(registry.speakers)
    result = CompareResult()

    by_article: dict[str, list[Mapping[str, Any]]] = {}
    for c in claims:
        by_article.setdefault(str(c["article_id"]), []).append(c)
    article_ids = sorted(by_article)
    resolved, registry = canonical_speakers(((by_article[a], texts.get(a, "")) for a in article_ids), registry)

    speaker_of: dict[str, str | None] = {}
    for article_id, assignments in zip(article_ids, resolved, strict=True):
        for c, sp in zip(by_article[article_id], assignments, strict=True):
            if not c.get("is_new", True):
                continue
            principal = sp.speaker_id
            agent = _AGENT.match(sp.name or "")
            if sp.speaker_id and agent is not None:
                boss = registry.resolve(agent.group(1))
                principal = boss.speaker_id if boss is not None else sp.speaker_id
            speaker_of[str(c["claim_id"])] = sp.speaker_id
            result.claim_speakers.append(
                {"claim_id": str(c["claim_id"]), "speaker_id": sp.speaker_id, "principal_id": principal,
                 "sub": sp.sub, "how": sp.how}
            )  # fmt: skip
    result.speakers = [s.to_dict() for i, s in sorted(registry.speakers.items()) if before.get(i) != s]

    entities = EntityRegistry(stored_entities, aliases)
    new = [c for c in claims if c.get("is_new", True)]
    # in the article first: a bare "Harlow" takes the one longer name of the article it belongs to
    form_of: dict[tuple[str, str], str] = {}
    for article_id in article_ids:
        mentions = sorted({str(m) for c in by_article[article_id] for m in c.get("entities") or ()})
        form_of.update(((article_id, m), f) for m, f in zip(mentions, resolve_entities(mentions), strict=True))
    for c in new:
        seen: set[str] = set()
        for mention in c.get("entities") or ():
            entity = entities.resolve(form_of.get((str(c["article_id"]), str(mention))) or str(mention), str(mention))
            if entity is None or mention in seen:
                continue
            seen.add(mention)
            result.claim_entities.append(
                {"claim_id": str(c["claim_id"]), "mention": mention, "entity_id": entity.entity_id}
            )
    result.entities = [e.to_dict() for e in entities.changed()]
    result.batch = [
        {
            "claim_id": str(c["claim_id"]),
            "content": c.get("content"),
            "doc_id": str(c["article_id"]),
            "speaker_id": speaker_of.get(str(c["claim_id"])),
            "polarity": c.get("polarity"),
            "cue": c.get("cue"),
            "date": c.get("seen_at"),
            "terms": content_terms(c.get("content") or ""),
        }
        for c in new
    ]
    return result


def cluster_new(
    result: CompareResult,
    state_rows: Iterable[Mapping[str, Any]],
    df: Mapping[str, int] | None = None,
    n_claims: int | None = None,
    params: Params | None = None,
    encode: Encoder | None = None,
    alerted: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    max_alerts_per_cluster: int = DEFAULT_MAX_ALERTS_PER_CLUSTER,
) -> CompareResult:
    """Assign ``result.batch`` to clusters against the stored ``state_rows`` and list the new
    alerts (contradictions with at least one new claim, or any in a cluster folded this run);
    fills and returns ``result``.

    Alerts are bounded (:func:`~pipeline.compare.clusters.alert_pairs`): one per (cluster,
    asserting speaker, denying speaker), none for a speaker pair in ``alerted`` (the stored alerts'
    speaker pairs by cluster, ``pipeline.store.compare.alerted_pairs``), and at most
    ``max_alerts_per_cluster`` in a cluster, the stored ones included. Every pair stays in the
    ``contradictions`` view.

    ``df`` and ``n_claims`` are the term frequencies over the whole time window when the rows are
    only the candidate clusters (``pipeline.store.compare.cluster_state_rows``), so the term weights
    are those of a state holding the whole window; without them the rows' own counts are used.
    The semantic and hybrid methods need ``encode`` (stored contents are embedded again)."""
    rows = []
    for r in state_rows:
        row = dict(r)
        row.setdefault("date", row.get("seen_at"))
        rows.append(row)
    state = ClusterState.restore(rows, params, encode)
    if df is not None and n_claims is not None:
        state.df = Counter(df)
        state.n_claims = n_claims
    result.n_restored = len(rows)
    result.assignments = assign(result.batch, state, encode)
    fresh = {a.claim_id for a in result.assignments}
    merged = {keep for _, keep, _ in state.merges}  # a fold may set two earlier claims against each other
    result.merges = list(state.merges)
    stored = {c: list(p) for c, p in (alerted or {}).items()}
    held = {c: len(p) for c, p in stored.items()}  # old stores may hold several alerts per speaker pair
    pairs = {c: set(p) for c, p in stored.items()}
    for folded, keep, _ in state.merges:  # the folded cluster's alerts move to the kept one
        pairs.setdefault(keep, set()).update(pairs.pop(folded, set()))
        held[keep] = held.get(keep, 0) + held.pop(folded, 0)
    result.alerts = [
        {"asserting_claim_id": x.asserting_claim_id, "denying_claim_id": x.denying_claim_id, "cluster_id": x.cluster_id}
        for x in alert_pairs(state, fresh, merged, pairs, held, max_alerts_per_cluster)
    ]
    return result


def compare_claims(
    claims: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
    state_rows: Iterable[Mapping[str, Any]],
    stored_speakers: Iterable[Mapping[str, Any]] = (),
    stored_entities: Iterable[Mapping[str, Any]] = (),
    aliases: Mapping[str, AliasEntry] | None = None,
    params: Params | None = None,
) -> CompareResult:
    """:func:`resolve_new` then :func:`cluster_new` against ``state_rows`` (all of them): one
    compare run over rows held in memory."""
    result = resolve_new(claims, texts, stored_speakers, stored_entities, aliases)
    return cluster_new(result, state_rows, params=params)
