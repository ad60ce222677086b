-- One row per claim, with its article and outlet. ``speaker_name`` prefers the resolved speaker (a
-- pronoun's antecedent) over the mention as written; ``seen_at`` is the earliest evidence of when an
-- outlet had the claim: its stated publication time, else when we first fetched it.
-- From the comparison (NULL until a compare run has seen the claim): ``speaker_id`` and
-- ``canonical_speaker`` (one real-world actor, "Feld" and "Marcus Feld" alike), ``principal_id`` (whom
-- a spokesperson speaks for), ``cluster_id``, ``stance`` (+/- against the cluster's first claim) and
-- ``sign`` (+1 asserts, -1 denies).
CREATE OR REPLACE VIEW claims_by_source AS
SELECT c.claim_id, c.article_id, a.outlet, a.canonical_url, a.title, a.published_at, a.first_seen_at,
       coalesce(a.published_at, a.first_seen_at) AS seen_at,
       c.kind, c.speaker, c.speaker_resolved, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
       c.speaker_role, c.cue, c.cue_strength, c.polarity, c.content, c.entities,
       c.content_start, c.content_end, c.extractor_version,
       regexp_replace(lower(c.content), '[^a-z0-9]+', ' ', 'g') AS content_key,
       coalesce(l.original_article_id, c.article_id) AS origin_article_id, a.wire, a.modified_at,
       cs.speaker_id, sp.name AS canonical_speaker, cs.principal_id,
       k.cluster_id, k.stance, k.sign
FROM claims c JOIN articles a USING (article_id)
LEFT JOIN article_links l ON l.article_id = c.article_id
LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
LEFT JOIN claim_clusters k ON k.claim_id = c.claim_id
