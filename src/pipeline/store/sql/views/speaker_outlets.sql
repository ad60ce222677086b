-- One row per speaker: claims, outlets, stance, first sighting. Claims a compare run gave a canonical
-- speaker group by ``speaker_id`` ("Feld" and "Marcus Feld" are one row); the others by their name,
-- case and a leading "the" ignored. ``speaker_key`` is that name's normalised form (the canonical
-- name's when there is one); ``names`` every name the speaker went by.
CREATE OR REPLACE VIEW speaker_outlets AS
SELECT any_value(regexp_replace(lower(trim(coalesce(canonical_speaker, speaker_name))), '^the ', '')) AS speaker_key,
       any_value(speaker_id) AS speaker_id,
       coalesce(any_value(canonical_speaker), min(speaker_name)) AS speaker,
       list(DISTINCT speaker_name ORDER BY speaker_name) AS names,
       count(*) AS n_claims,
       count(DISTINCT outlet) AS n_outlets,
       list(DISTINCT outlet ORDER BY outlet) AS outlets,
       count(*) FILTER (WHERE polarity = 'asserts') AS n_asserts,
       count(*) FILTER (WHERE polarity = 'denies') AS n_denies,
       min(seen_at) AS first_seen_at,
       arg_min(outlet, seen_at) AS first_outlet
FROM claims_by_source WHERE speaker_name IS NOT NULL OR speaker_id IS NOT NULL
GROUP BY coalesce(speaker_id, regexp_replace(lower(trim(speaker_name)), '^the ', ''))
