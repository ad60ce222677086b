-- description: cluster_merges: the id each folded cluster now lives under, so old links still lead somewhere
--
-- A compare run with folding (the semantic methods) moves the claims of a later cluster into the
-- one founded first. The folded id stays valid through this table: the Claims view and SQL users
-- follow folded_id to kept_id (chains are flattened when written, so one lookup is enough).
CREATE TABLE cluster_merges (
    folded_id VARCHAR PRIMARY KEY,
    kept_id VARCHAR NOT NULL,
    compare_run_id VARCHAR NOT NULL,
    merged_at TIMESTAMPTZ NOT NULL
);
