-- One row per claim cluster (claims stating one proposition across articles and outlets): the first
-- wording, the outlets, independent reports (a wire reprint and its original count once, through
-- article_links), who agrees with the cluster's first-seen claim and who disputes it (stance, by
-- canonical speaker), first seen when, where and by
-- whom, and last seen. ``seen_at`` is the publication time an article states, else when we fetched it.
CREATE OR REPLACE VIEW cluster_coverage AS
SELECT cluster_id,
       arg_min(content, (seen_at, claim_id)) AS representative,
       count(*) AS n_claims,
       count(DISTINCT outlet) AS n_outlets,
       list(DISTINCT outlet ORDER BY outlet) AS outlets,
       count(DISTINCT origin_article_id) AS n_independent,
       count(*) FILTER (WHERE stance = '+') AS n_asserting,
       count(*) FILTER (WHERE stance = '-') AS n_denying,
       list(DISTINCT coalesce(canonical_speaker, speaker_name) ORDER BY coalesce(canonical_speaker, speaker_name))
           FILTER (WHERE stance = '+' AND coalesce(canonical_speaker, speaker_name) IS NOT NULL) AS asserted_by,
       list(DISTINCT coalesce(canonical_speaker, speaker_name) ORDER BY coalesce(canonical_speaker, speaker_name))
           FILTER (WHERE stance = '-' AND coalesce(canonical_speaker, speaker_name) IS NOT NULL) AS denied_by,
       min(seen_at) AS first_seen_at,
       arg_min(outlet, (seen_at, claim_id)) AS first_outlet,
       arg_min(coalesce(canonical_speaker, speaker_name), (seen_at, claim_id)) AS first_speaker,
       arg_min(canonical_url, (seen_at, claim_id)) AS first_url,
       arg_min(CASE WHEN published_at IS NULL THEN 'fetched' ELSE 'published' END, (seen_at, claim_id))
           AS first_seen_as,
       max(seen_at) AS last_seen_at
FROM claims_by_source
WHERE cluster_id IS NOT NULL
GROUP BY cluster_id
