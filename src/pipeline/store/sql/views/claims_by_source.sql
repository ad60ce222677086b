-- One row per claim, with its article and outlet. ``speaker_name`` prefers the resolved speaker (a
-- pronoun's antecedent) over the mention as written; ``seen_at`` is the earliest evidence of when an
-- outlet had the claim: its stated publication time, else when we first fetched it.
CREATE OR REPLACE VIEW claims_by_source AS
SELECT c.claim_id, c.article_id, a.outlet, a.canonical_url, a.title, a.published_at, a.first_seen_at,
       coalesce(a.published_at, a.first_seen_at) AS seen_at,
       c.kind, c.speaker, c.speaker_resolved, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
       c.speaker_role, c.cue, c.cue_strength, c.polarity, c.content, c.entities,
       c.content_start, c.content_end, c.extractor_version,
       regexp_replace(lower(c.content), '[^a-z0-9]+', ' ', 'g') AS content_key,
       coalesce(l.original_article_id, c.article_id) AS origin_article_id, a.wire, a.modified_at
FROM claims c JOIN articles a USING (article_id)
LEFT JOIN article_links l ON l.article_id = c.article_id
