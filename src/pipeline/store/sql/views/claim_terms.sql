-- The content words of each claim: four letters or more, the packaged English stop words left out
-- (the table ``stopwords``, filled from pipeline/data/stopwords/ whenever the views are created).
CREATE OR REPLACE VIEW claim_terms AS
SELECT claim_id, term FROM (
    SELECT claim_id, unnest(list_distinct(string_split(trim(content_key), ' '))) AS term
    FROM claims_by_source)
WHERE length(term) >= 4
  AND NOT list_contains((SELECT coalesce(list(word), []) FROM stopwords WHERE language = 'en'), term)
