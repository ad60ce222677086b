-- description: outlets, fetch_log, articles, claims, runs
--
-- A migration is one numbered file, applied once in its own transaction and recorded in
-- schema_migrations with its number and the description above. Never edit an applied file:
-- add the next number instead.

CREATE TABLE outlets (
    name VARCHAR PRIMARY KEY,
    domain VARCHAR,
    feeds VARCHAR[],
    urls VARCHAR[],
    first_run_id VARCHAR,
    last_run_id VARCHAR
);

CREATE TABLE fetch_log (
    url VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,          -- discover | fetch | parse
    outlet VARCHAR,
    ok BOOLEAN NOT NULL,
    status INTEGER,
    reason VARCHAR,
    final_url VARCHAR,
    content_type VARCHAR,
    n_bytes BIGINT,
    attempts INTEGER,                -- attempts in the latest run
    total_attempts INTEGER,          -- attempts summed over runs
    failures INTEGER,                -- runs that ended in failure
    started_at TIMESTAMPTZ,
    elapsed_ms DOUBLE,
    archive_ref VARCHAR,
    run_id VARCHAR,
    PRIMARY KEY (url, stage)
);

CREATE TABLE articles (
    article_id VARCHAR PRIMARY KEY,
    canonical_url VARCHAR NOT NULL UNIQUE,
    url VARCHAR NOT NULL,
    outlet VARCHAR NOT NULL,
    title VARCHAR,
    authors VARCHAR[],
    published_at TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ,
    language VARCHAR,
    text VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    raw_ref VARCHAR,
    run_id VARCHAR
);

CREATE TABLE claims (
    claim_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    speaker VARCHAR,
    speaker_start INTEGER,
    speaker_end INTEGER,
    speaker_resolved VARCHAR,
    speaker_role VARCHAR,
    cue VARCHAR,
    cue_start INTEGER,
    cue_end INTEGER,
    cue_strength VARCHAR,
    content VARCHAR NOT NULL,
    content_start INTEGER NOT NULL,
    content_end INTEGER NOT NULL,
    polarity VARCHAR NOT NULL,
    entities VARCHAR[],
    extractor_version VARCHAR NOT NULL,
    run_id VARCHAR
);

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    loaded_at TIMESTAMPTZ,
    n_outlets INTEGER,
    n_articles INTEGER,
    n_claims INTEGER,
    n_failures INTEGER
);
