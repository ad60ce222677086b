-- One row per claim wording: how many outlets carry the same words, and which had them first.
CREATE OR REPLACE VIEW claim_spread AS
SELECT content_key,
       arg_min(content, seen_at) AS content,
       count(*) AS n_reports,
       count(DISTINCT origin_article_id) AS n_independent,   -- copies of one original count once
       count(DISTINCT outlet) AS n_outlets,
       list(DISTINCT outlet ORDER BY outlet) AS outlets,
       list(DISTINCT speaker_name ORDER BY speaker_name) AS speakers,
       list(DISTINCT polarity ORDER BY polarity) AS polarities,
       min(seen_at) AS first_seen_at,
       arg_min(outlet, seen_at) AS first_outlet
FROM claims_by_source
GROUP BY content_key
