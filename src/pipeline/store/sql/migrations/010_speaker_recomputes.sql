-- description: speaker_recomputes: each time the speakers and entities of every stored claim were recomputed
--
-- ``factcheck compare --respeak`` applies the alias file as it is now to every stored claim (a
-- corrected alias reaches the claims compared before it), in one transaction. Clusters are kept as
-- they are, so their ids never move; each row here says when that happened and what it changed, and
-- the Claims view shows the latest.
CREATE TABLE speaker_recomputes (
    compare_run_id VARCHAR PRIMARY KEY,
    recomputed_at TIMESTAMPTZ NOT NULL,
    n_claims INTEGER NOT NULL,            -- claims whose speaker was recomputed
    n_changed INTEGER NOT NULL,           -- claims whose canonical speaker changed
    n_speakers INTEGER NOT NULL,          -- canonical speakers after the recompute
    aliases VARCHAR                       -- the alias file applied (its path), NULL for the packaged one
);
