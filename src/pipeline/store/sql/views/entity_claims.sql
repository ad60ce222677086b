-- One row per named entity: the outlets carrying claims about it, who asserts and who denies.
-- Mentions a compare run linked to an entity group by ``entity_id`` ("the Harlow River" and "Harlow
-- River" are one row, named ``entity``); the others by the mention as written. ``mentions`` lists
-- the forms seen; speakers are canonical where a compare run resolved them.
CREATE OR REPLACE VIEW entity_claims AS
SELECT coalesce(any_value(e.name), any_value(m.mention)) AS entity,
       any_value(ce.entity_id) AS entity_id,
       any_value(e.kind) AS kind,
       list(DISTINCT m.mention ORDER BY m.mention) AS mentions,
       count(DISTINCT m.claim_id) AS n_claims,
       count(DISTINCT m.outlet) AS n_outlets,
       list(DISTINCT m.outlet ORDER BY m.outlet) AS outlets,
       list(DISTINCT coalesce(m.canonical_speaker, m.speaker_name) ORDER BY coalesce(m.canonical_speaker, m.speaker_name))
           FILTER (WHERE m.polarity = 'asserts') AS asserted_by,
       list(DISTINCT coalesce(m.canonical_speaker, m.speaker_name) ORDER BY coalesce(m.canonical_speaker, m.speaker_name))
           FILTER (WHERE m.polarity = 'denies') AS denied_by,
       min(m.seen_at) AS first_seen_at,
       arg_min(m.outlet, m.seen_at) AS first_outlet
FROM (SELECT unnest(entities) AS mention, * EXCLUDE (entities) FROM claims_by_source) m
LEFT JOIN claim_entities ce ON ce.claim_id = m.claim_id AND ce.mention = m.mention
LEFT JOIN entities e ON e.entity_id = ce.entity_id
GROUP BY coalesce(ce.entity_id, m.mention)
