-- description: comparison across outlets: speakers, claim_speakers, entities, claim_entities, claim_clusters, alerts, compare_runs
--
-- Written only by a compare run (pipeline.store.compare.write_compare), one transaction per run.
-- Every table is keyed by claim_id (or its own natural id), never a column of ``claims``: a load
-- replaces an article's claims, and a claim that comes back with the same id (same article, span and
-- extractor version) keeps its speaker, entities and cluster; a claim that does not come back leaves
-- rows that the next compare run deletes. Cluster, speaker and entity ids are hashes or slugs, so
-- they never depend on the order in which claims arrived.

-- One real-world speaker: a person, organisation, country or group, and every name seen for it.
CREATE TABLE speakers (
    speaker_id VARCHAR PRIMARY KEY,      -- "person:marcus-feld", "organisation:harlow-port-authority"
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- person | organisation | country | group
    aliases VARCHAR[] NOT NULL,
    compare_run_id VARCHAR
);

-- The canonical speaker of each claim. ``principal_id`` is the actor a spokesperson, campaign or
-- lawyer speaks for (the speaker itself otherwise); ``sub`` the finer speaker as written.
CREATE TABLE claim_speakers (
    claim_id VARCHAR PRIMARY KEY,
    speaker_id VARCHAR,                  -- NULL: the speaker could not be resolved (see ``how``)
    principal_id VARCHAR,
    sub VARCHAR,
    how VARCHAR,                         -- name | surname | title | description | pronoun | principal | ...
    compare_run_id VARCHAR
);

-- One named entity (a place, an organisation, a country), whatever the article called it.
CREATE TABLE entities (
    entity_id VARCHAR PRIMARY KEY,       -- "entity:harlow-river"
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- country | organisation | place | other
    aliases VARCHAR[] NOT NULL,
    compare_run_id VARCHAR
);

-- Which entity each entity mention of a claim (an element of claims.entities) names.
CREATE TABLE claim_entities (
    claim_id VARCHAR NOT NULL,
    mention VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    PRIMARY KEY (claim_id, mention)
);

-- The cluster of each compared claim: claims stating one proposition across articles and outlets.
-- ``stance`` is relative to the cluster's first claim (+ agrees, - opposes); ``sign`` is the claim's
-- own (+1 asserts, -1 denies). A claim that cannot be compared has cluster_id NULL and a reason.
-- ``terms`` let the next run find, in SQL, the stored clusters a new claim can join (those sharing
-- a term or the speaker) and the terms' frequencies, instead of reading the whole time window.
CREATE TABLE claim_clusters (
    claim_id VARCHAR PRIMARY KEY,
    cluster_id VARCHAR,
    stance VARCHAR,
    sign INTEGER NOT NULL,
    reason VARCHAR,                      -- new | joined | why it stayed unclustered
    score DOUBLE,                        -- similarity to the member it joined through
    terms VARCHAR[],                     -- the content's comparable terms (pipeline.compare.clusters.content_terms)
    assigned_at TIMESTAMPTZ NOT NULL,
    compare_run_id VARCHAR
);

-- One row per contradiction (an assertion and a denial in one cluster, from two articles), written
-- by the compare run that first found it and never again.
CREATE TABLE alerts (
    asserting_claim_id VARCHAR NOT NULL,
    denying_claim_id VARCHAR NOT NULL,
    cluster_id VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    compare_run_id VARCHAR NOT NULL,
    PRIMARY KEY (asserting_claim_id, denying_claim_id)
);

-- What each compare run did; written last in its transaction, so a row means the run committed.
CREATE TABLE compare_runs (
    compare_run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    n_claims INTEGER NOT NULL,           -- new claims compared
    n_new_clusters INTEGER NOT NULL,
    n_joined INTEGER NOT NULL,
    n_unclustered INTEGER NOT NULL,
    n_restored INTEGER NOT NULL,         -- stored claims read back as the state to compare against
    n_speakers INTEGER NOT NULL,         -- speakers added or given a new alias
    n_alerts INTEGER NOT NULL,
    n_pruned INTEGER NOT NULL            -- rows of claims no longer stored, deleted
);
