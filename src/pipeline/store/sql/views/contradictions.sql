-- Pairs of claims in one cluster with opposite stance, from two different articles: the claim on the
-- side of the cluster's first-seen claim (asserting_*) and the one disputing it (denying_*), their canonical speakers, outlets and dates. Built on the clusters of a compare run
-- (claim_clusters); ``contested_claims`` stays beside it as the lexical candidate list that needs
-- no compare run. ``alerted_at`` is when the compare run that found the pair wrote it to ``alerts``.
CREATE OR REPLACE VIEW contradictions AS
SELECT a.cluster_id,
       a.claim_id AS asserting_claim_id, d.claim_id AS denying_claim_id,
       a.speaker_id AS asserting_speaker_id, coalesce(a.canonical_speaker, a.speaker_name) AS asserted_by,
       a.outlet AS asserting_outlet, a.content AS assertion, a.seen_at AS asserted_at, a.canonical_url AS asserting_url,
       d.speaker_id AS denying_speaker_id, coalesce(d.canonical_speaker, d.speaker_name) AS denied_by,
       d.outlet AS denying_outlet, d.content AS denial, d.seen_at AS denied_at, d.canonical_url AS denying_url,
       al.created_at AS alerted_at
FROM claims_by_source a
JOIN claims_by_source d ON d.cluster_id = a.cluster_id AND d.stance = '-' AND d.article_id <> a.article_id
LEFT JOIN alerts al ON al.asserting_claim_id = a.claim_id AND al.denying_claim_id = d.claim_id
WHERE a.cluster_id IS NOT NULL AND a.stance = '+'
  -- one speaker's two signs are far more often a misread negation than a reversal
  AND (a.speaker_id IS NULL OR d.speaker_id IS NULL OR a.speaker_id <> d.speaker_id)
