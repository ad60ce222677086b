-- description: article identity across URLs and outlets: article_urls, article_bands, article_links

-- MinHash signature and wire credit of the text (pipeline.dedupe), computed at parse time.
ALTER TABLE articles ADD COLUMN minhash BIGINT[];
ALTER TABLE articles ADD COLUMN wire VARCHAR;

-- Every URL an article was fetched under: the same article under two URLs is stored once.
CREATE TABLE article_urls (
    url VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    run_id VARCHAR
);

-- Locality-sensitive band keys of the signature: candidate near-duplicates by equality join.
CREATE TABLE article_bands (
    band VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    PRIMARY KEY (band, article_id)
);

-- A copy (wire reprint, syndicated or re-posted text) pointing at the earliest article of its group.
CREATE TABLE article_links (
    article_id VARCHAR PRIMARY KEY,
    original_article_id VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,       -- duplicate (same outlet) | copy (another outlet)
    similarity DOUBLE,               -- estimated Jaccard similarity of 5-word shingles
    wire VARCHAR,                    -- the agency a credit line names, if any
    run_id VARCHAR
);
