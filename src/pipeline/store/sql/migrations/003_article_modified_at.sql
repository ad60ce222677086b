-- description: articles.modified_at: the last modification the page states, beside its publication date

ALTER TABLE articles ADD COLUMN modified_at TIMESTAMPTZ;
