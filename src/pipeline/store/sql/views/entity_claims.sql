-- One row per named entity: the outlets carrying claims about it, who asserts and who denies.
CREATE OR REPLACE VIEW entity_claims AS
SELECT entity,
       count(*) AS n_claims,
       count(DISTINCT outlet) AS n_outlets,
       list(DISTINCT outlet ORDER BY outlet) AS outlets,
       list(DISTINCT speaker_name ORDER BY speaker_name) FILTER (WHERE polarity = 'asserts') AS asserted_by,
       list(DISTINCT speaker_name ORDER BY speaker_name) FILTER (WHERE polarity = 'denies') AS denied_by,
       min(seen_at) AS first_seen_at,
       arg_min(outlet, seen_at) AS first_outlet
FROM (SELECT unnest(entities) AS entity, * EXCLUDE (entities) FROM claims_by_source)
GROUP BY entity
