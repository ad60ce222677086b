-- One canonical speaker's claims in the order outlets carried them (``seq`` counts from 1 per
-- speaker), each with its outlet, stance, cluster and article.
CREATE OR REPLACE VIEW speaker_timeline AS
SELECT speaker_id, canonical_speaker AS speaker,
       row_number() OVER (PARTITION BY speaker_id ORDER BY seen_at NULLS LAST, claim_id) AS seq,
       seen_at, outlet, polarity, cue, content, cluster_id, stance, claim_id, canonical_url,
       speaker_name AS named_as
FROM claims_by_source
WHERE speaker_id IS NOT NULL
