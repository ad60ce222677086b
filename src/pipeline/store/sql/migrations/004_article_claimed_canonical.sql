-- description: articles.claimed_canonical_url: a canonical URL the page named on another site (not its identity)

ALTER TABLE articles ADD COLUMN claimed_canonical_url VARCHAR;
