-- description: speaker_summaries, entity_summaries: one stored row per canonical speaker and entity, kept by each compare run
--
-- The comparison page (Across outlets) lists speakers and entities and looks one up through these
-- tables instead of aggregating every claim per request. Their columns are those of the views
-- ``speaker_outlets`` and ``entity_claims``, which stay the definition, for the rows of a canonical
-- speaker (``speaker_id``) or entity (``entity_id``) that a compare run resolved. Each compare run
-- rewrites, in its own transaction, the rows of the speakers and entities whose claims it touched
-- (pipeline.store.summaries, the same aggregates as below), so a run killed halfway leaves the
-- previous rows. As with ``cluster_summaries``, a row is as of the last compare run.
CREATE TABLE speaker_summaries (
    speaker_id VARCHAR PRIMARY KEY,
    speaker_key VARCHAR,
    speaker VARCHAR,
    names VARCHAR[],
    n_claims BIGINT NOT NULL,
    n_outlets BIGINT NOT NULL,
    outlets VARCHAR[],
    n_asserts BIGINT NOT NULL,
    n_denies BIGINT NOT NULL,
    first_seen_at TIMESTAMPTZ,
    first_outlet VARCHAR
);

CREATE TABLE entity_summaries (
    entity_id VARCHAR PRIMARY KEY,
    entity VARCHAR,
    kind VARCHAR,
    mentions VARCHAR[],
    n_claims BIGINT NOT NULL,
    n_outlets BIGINT NOT NULL,
    outlets VARCHAR[],
    asserted_by VARCHAR[],
    denied_by VARCHAR[],
    first_seen_at TIMESTAMPTZ,
    first_outlet VARCHAR
);

-- The speakers and entities already resolved, summarised once here from the base tables (the views
-- are created after the migrations); the compare runs keep them with the same statements.
INSERT INTO speaker_summaries
WITH members AS (
    SELECT cs.speaker_id, sp.name AS canonical_speaker, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
           a.outlet, coalesce(a.published_at, a.first_seen_at) AS seen_at, c.polarity
    FROM claim_speakers cs
    JOIN claims c USING (claim_id)
    JOIN articles a ON a.article_id = c.article_id
    LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
    WHERE cs.speaker_id IS NOT NULL)
SELECT speaker_id,
       any_value(regexp_replace(lower(trim(coalesce(canonical_speaker, speaker_name))), '^the ', '')),
       coalesce(any_value(canonical_speaker), min(speaker_name)),
       list(DISTINCT speaker_name ORDER BY speaker_name),
       count(*),
       count(DISTINCT outlet),
       list(DISTINCT outlet ORDER BY outlet),
       count(*) FILTER (WHERE polarity = 'asserts'),
       count(*) FILTER (WHERE polarity = 'denies'),
       min(seen_at),
       arg_min(outlet, seen_at)
FROM members
GROUP BY speaker_id;

INSERT INTO entity_summaries
WITH members AS (
    SELECT ce.entity_id, e.name, e.kind, ce.mention, c.claim_id, a.outlet,
           coalesce(a.published_at, a.first_seen_at) AS seen_at, c.polarity,
           coalesce(sp.name, c.speaker_resolved, c.speaker) AS who
    FROM claim_entities ce
    JOIN claims c ON c.claim_id = ce.claim_id AND list_contains(c.entities, ce.mention)
    JOIN articles a ON a.article_id = c.article_id
    LEFT JOIN entities e ON e.entity_id = ce.entity_id
    LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
    LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id)
SELECT entity_id,
       coalesce(any_value(name), any_value(mention)),
       any_value(kind),
       list(DISTINCT mention ORDER BY mention),
       count(DISTINCT claim_id),
       count(DISTINCT outlet),
       list(DISTINCT outlet ORDER BY outlet),
       list(DISTINCT who ORDER BY who) FILTER (WHERE polarity = 'asserts'),
       list(DISTINCT who ORDER BY who) FILTER (WHERE polarity = 'denies'),
       min(seen_at),
       arg_min(outlet, seen_at)
FROM members
GROUP BY entity_id;

-- The lists on the comparison page are the most quoted speakers and the most discussed entities.
CREATE INDEX speaker_summaries_claims ON speaker_summaries (n_claims);
CREATE INDEX entity_summaries_claims ON entity_summaries (n_claims);
