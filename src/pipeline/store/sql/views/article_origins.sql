-- One row per article: the original it copies (itself when it is an original), and how.
CREATE OR REPLACE VIEW article_origins AS
SELECT a.article_id, a.outlet, a.canonical_url, a.title, a.wire,
       coalesce(l.original_article_id, a.article_id) AS original_article_id,
       o.outlet AS original_outlet, o.canonical_url AS original_url,
       coalesce(l.relation, 'original') AS relation, l.similarity
FROM articles a
LEFT JOIN article_links l USING (article_id)
LEFT JOIN articles o ON o.article_id = coalesce(l.original_article_id, a.article_id)
