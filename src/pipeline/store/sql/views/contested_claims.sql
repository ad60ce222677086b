-- contested_claims: an assertion set against a denial by another speaker when their wording overlaps.
--
-- It proposes candidates for a reader to check, ranked by score; it does not decide. A pair needs at
-- least two shared content words (claim_terms) and a weighted Jaccard score of ``min_score`` or more,
-- each word weighted by its rarity across all claims (inverse document frequency), so that the words
-- every claim of a story shares count little and the words of the disputed point count much.
--
-- Parameters come from the one-row table ``contested_settings`` (min_score, window_seconds), written
-- with the views (pipeline.store.CONTESTED_MIN_SCORE and CONTESTED_WINDOW_DAYS), never formatted in;
-- they ride along as columns of each claim row (t, t_pos, win), so every filter stays a row filter.
--
-- Only claims seen within the window (30 days) of each other are compared, whichever came first
-- (asserted_at and denied_at: the article's seen_at, its stated publication time, else when we first
-- fetched it); a claim with neither is never paired. A denial answers an assertion while the story
-- runs, and a month either way covers a news cycle. The window also keeps the view linear: without it
-- the pairs to compare grow with the square of the claims; with it, a claim meets only the claims of
-- its two months. The trade-off: a denial more than 30 days after the assertion is not proposed.
--
-- Pairs are first proposed, then scored, with exact filters (the result equals comparing all pairs
-- within the window; tests/test_store_contested.py checks it against brute force). Each claim's words
-- are ordered rarest first (by weight, then spelling: one global order, ``tid``).
-- - prefix filter: a pair scoring t or more shares at least t of each claim's weight, so its first
--   shared word lies, in both claims, among the words that still have t of the claim's weight from
--   them on (``rest``): the claim's prefix.
-- - two words: a pair shares its first two shared words (x, y), x in both prefixes and y anywhere
--   after it; claims offer every such word pair and meet on equal (x, y).
-- - time blocks: each claim falls in a block of the window's length by its seen_at; claims within the
--   window lie in the same or adjacent blocks, so denials are offered to their own block and both
--   neighbours and meet assertions on (x, y, block); the exact distance is checked on each match.
-- - positional filter (as in PPJoin): a match on x whose least(rest) is below t / (1 + t) of the two
--   claims' weight together cannot make the pair reach t.
-- - weight filter: a pair whose lighter claim weighs less than t times the heavier cannot reach t.
-- Proposals are scored on each claim's list of words (word ids and weights), not by joining word rows.
-- Timings at 10k to 1M claims: docs/BENCHMARKS.md (benchmarks/store_scale.py).
CREATE OR REPLACE VIEW contested_claims AS
WITH params AS MATERIALIZED (
    SELECT min_score AS t, min_score / (1 + min_score) AS t_pos, window_seconds AS win
    FROM contested_settings),
dated AS MATERIALIZED (
    SELECT claim_id, row_number() OVER ()::INTEGER AS cid, polarity, epoch(seen_at) AS seen_s
    FROM claims_by_source),
words AS MATERIALIZED (
    SELECT c.cid, t.term FROM claim_terms t JOIN dated c USING (claim_id)),
idf AS MATERIALIZED (
    SELECT term, w, row_number() OVER (ORDER BY w DESC, term)::INTEGER AS tid FROM (
        SELECT term, ln((SELECT count(DISTINCT cid) FROM words) / count(*)) + 0.1 AS w
        FROM words GROUP BY term)),
tagged AS MATERIALIZED (
    SELECT d.cid, d.claim_id, d.polarity, d.seen_s, b.mass, b.bag,
           list_transform(b.bag, lambda e: e.tid) AS tids, p.t, p.t_pos, p.win
    FROM (SELECT cid, sum(w) AS mass, list_sort(list({'tid': tid, 'w': w})) AS bag
          FROM words JOIN idf USING (term) GROUP BY cid) b
    JOIN dated d USING (cid)
    CROSS JOIN params p
    WHERE d.seen_s IS NOT NULL),
prefix AS (
    SELECT * FROM (
        SELECT cid, polarity, seen_s, mass, tids, pos, t, t_pos, win,
               list_sum(list_transform(list_slice(bag, pos, len(bag)), lambda e: e.w)) AS rest
        FROM (SELECT *, unnest(range(1, len(bag))) AS pos FROM tagged))
    WHERE rest >= t * mass * (1 - 1e-9)),
keys AS (
    SELECT cid, polarity, mass, rest, seen_s, t, t_pos, win, floor(seen_s / win)::BIGINT AS block,
           tids[pos] AS x, unnest(list_slice(tids, pos + 1, len(tids))) AS y
    FROM prefix),
asserted AS (SELECT * FROM keys WHERE polarity = 'asserts'),
denied AS (
    SELECT cid, mass, rest, seen_s, x, y, unnest([block - 1, block, block + 1]) AS block
    FROM keys WHERE polarity = 'denies'),
candidates AS (
    SELECT DISTINCT a.cid AS acid, d.cid AS dcid
    FROM asserted a JOIN denied d ON a.x = d.x AND a.y = d.y AND a.block = d.block
    WHERE abs(a.seen_s - d.seen_s) <= a.win
      AND least(a.rest, d.rest) >= a.t_pos * (a.mass + d.mass) * (1 - 1e-9)
      AND least(a.mass, d.mass) >= a.t * greatest(a.mass, d.mass) * (1 - 1e-9)),
shared AS (
    SELECT a.claim_id AS asserting_id, d.claim_id AS denying_id, a.mass AS ma, d.mass AS md,
           list_filter(a.bag, lambda e: list_contains(d.tids, e.tid)) AS hit
    FROM candidates c
    JOIN tagged a ON a.cid = c.acid
    JOIN tagged d ON d.cid = c.dcid),
scored AS (
    SELECT asserting_id, denying_id, ma, md, list_transform(hit, lambda e: e.tid) AS hit,
           list_sum(list_transform(hit, lambda e: e.w)) AS shared_w
    FROM shared),
pairs AS MATERIALIZED (
    SELECT asserting_id, denying_id, hit, shared_w / (ma + md - shared_w) AS jaccard FROM scored
    WHERE shared_w / (ma + md - shared_w) >= (SELECT t FROM params)),
named AS (
    SELECT asserting_id, denying_id,
           list_transform(list_sort(list({'tid': tid, 'term': term})), lambda e: e.term) AS terms
    FROM (SELECT asserting_id, denying_id, unnest(hit) AS tid FROM pairs) JOIN idf USING (tid)
    GROUP BY asserting_id, denying_id)
SELECT round(p.jaccard, 2) AS score,
       n.terms AS shared_terms,
       a.speaker_name AS asserted_by, a.outlet AS asserting_outlet, a.content AS assertion,
       a.seen_at AS asserted_at,
       d.speaker_name AS denied_by, d.outlet AS denying_outlet, d.content AS denial,
       d.seen_at AS denied_at,
       p.asserting_id AS asserting_claim_id, p.denying_id AS denying_claim_id
FROM pairs p
JOIN named n USING (asserting_id, denying_id)
JOIN claims_by_source a ON a.claim_id = p.asserting_id
JOIN claims_by_source d ON d.claim_id = p.denying_id
WHERE coalesce(lower(a.speaker_name), '') <> coalesce(lower(d.speaker_name), '')
