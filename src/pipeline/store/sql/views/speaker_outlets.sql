-- One row per speaker (case and a leading "the" ignored): claims, outlets, stance, first sighting.
CREATE OR REPLACE VIEW speaker_outlets AS
SELECT regexp_replace(lower(trim(speaker_name)), '^the ', '') AS speaker_key,
       min(speaker_name) AS speaker,
       count(*) AS n_claims,
       count(DISTINCT outlet) AS n_outlets,
       list(DISTINCT outlet ORDER BY outlet) AS outlets,
       count(*) FILTER (WHERE polarity = 'asserts') AS n_asserts,
       count(*) FILTER (WHERE polarity = 'denies') AS n_denies,
       min(seen_at) AS first_seen_at,
       arg_min(outlet, seen_at) AS first_outlet
FROM claims_by_source WHERE speaker_name IS NOT NULL
GROUP BY 1
