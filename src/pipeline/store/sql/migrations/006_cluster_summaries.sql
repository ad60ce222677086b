-- description: cluster_summaries: one stored summary row per claim cluster, kept by each compare run
--
-- The cluster lists of the Claims view (front page, clusters page) page through this table instead
-- of aggregating every cluster's claims per request. Its columns are those of the view
-- ``cluster_coverage`` (sql/views/cluster_coverage.sql), which stays the definition: each compare
-- run rewrites, in its own transaction, the rows of the clusters it touched from that view
-- (pipeline.store.compare.write_compare), so a run killed halfway leaves the previous rows. A
-- summary is as of the last compare run: a load between two runs does not change it.
CREATE TABLE cluster_summaries (
    cluster_id VARCHAR PRIMARY KEY,
    representative VARCHAR,
    n_claims BIGINT NOT NULL,
    n_outlets BIGINT NOT NULL,
    outlets VARCHAR[],
    n_independent BIGINT NOT NULL,
    n_asserting BIGINT NOT NULL,
    n_denying BIGINT NOT NULL,
    asserted_by VARCHAR[],
    denied_by VARCHAR[],
    first_seen_at TIMESTAMPTZ,
    first_outlet VARCHAR,
    first_speaker VARCHAR,
    first_url VARCHAR,
    first_seen_as VARCHAR,
    last_seen_at TIMESTAMPTZ
);

-- The clusters already formed, summarised once here from the base tables (the views are created
-- after the migrations): the same aggregates as cluster_coverage over claims_by_source.
INSERT INTO cluster_summaries
WITH members AS (
    SELECT k.cluster_id, c.claim_id, c.content, a.outlet, a.canonical_url, a.published_at,
           coalesce(a.published_at, a.first_seen_at) AS seen_at,
           coalesce(l.original_article_id, c.article_id) AS origin_article_id, k.stance,
           coalesce(sp.name, c.speaker_resolved, c.speaker) AS who
    FROM claim_clusters k
    JOIN claims c USING (claim_id)
    JOIN articles a ON a.article_id = c.article_id
    LEFT JOIN article_links l ON l.article_id = c.article_id
    LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
    LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
    WHERE k.cluster_id IS NOT NULL)
SELECT cluster_id,
       arg_min(content, (seen_at, claim_id)),
       count(*),
       count(DISTINCT outlet),
       list(DISTINCT outlet ORDER BY outlet),
       count(DISTINCT origin_article_id),
       count(*) FILTER (WHERE stance = '+'),
       count(*) FILTER (WHERE stance = '-'),
       list(DISTINCT who ORDER BY who) FILTER (WHERE stance = '+' AND who IS NOT NULL),
       list(DISTINCT who ORDER BY who) FILTER (WHERE stance = '-' AND who IS NOT NULL),
       min(seen_at),
       arg_min(outlet, (seen_at, claim_id)),
       arg_min(who, (seen_at, claim_id)),
       arg_min(canonical_url, (seen_at, claim_id)),
       arg_min(CASE WHEN published_at IS NULL THEN 'fetched' ELSE 'published' END, (seen_at, claim_id)),
       max(seen_at)
FROM members
GROUP BY cluster_id;

-- The cluster lists page by first sighting.
CREATE INDEX cluster_summaries_first_seen ON cluster_summaries (first_seen_at);
