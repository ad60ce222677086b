-- description: claim_clusters.sign is the claim's own polarity; cluster sides are read from stance
--
-- A claim's ``sign`` was its side of the cluster's proposition, read from negations in its words as
-- well as from the extractor's polarity, so "the valve that failed ..." or "... posed no risk" showed
-- an assertion as a denial. It is now the polarity alone (+1 asserts, -1 denies); which side of the
-- cluster a claim is on is its ``stance`` against the first-seen claim, which the comparison already
-- stored. The summaries' sides (n_asserting/asserted_by: agree with the first-seen claim;
-- n_denying/denied_by: dispute it) are re-read from stance for the clusters already formed.
UPDATE claim_clusters SET sign = CASE WHEN c.polarity = 'denies' THEN -1 ELSE 1 END
FROM claims c
WHERE c.claim_id = claim_clusters.claim_id;

UPDATE cluster_summaries SET n_asserting = s.n_agree, n_denying = s.n_dispute,
                             asserted_by = s.agree_by, denied_by = s.dispute_by
FROM (
    SELECT k.cluster_id,
           count(*) FILTER (WHERE k.stance = '+') AS n_agree,
           count(*) FILTER (WHERE k.stance = '-') AS n_dispute,
           list(DISTINCT who ORDER BY who) FILTER (WHERE k.stance = '+' AND who IS NOT NULL) AS agree_by,
           list(DISTINCT who ORDER BY who) FILTER (WHERE k.stance = '-' AND who IS NOT NULL) AS dispute_by
    FROM (SELECT k.cluster_id, k.stance, coalesce(sp.name, c.speaker_resolved, c.speaker) AS who
          FROM claim_clusters k
          JOIN claims c USING (claim_id)
          LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
          LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
          WHERE k.cluster_id IS NOT NULL) k
    GROUP BY k.cluster_id
) s
WHERE s.cluster_id = cluster_summaries.cluster_id;
