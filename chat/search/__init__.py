"""Full-text search over messages and notes, in English and Chinese (docs/search.md).

PostgreSQL: a GIN index over ``to_tsvector('simple', COALESCE(search_text, body))``, where
``search_text`` holds the body with its Chinese runs cut into words by jieba (NULL when the
body has no Chinese, so English rows cost no extra storage). SQLite (the embedded default):
an FTS5 table of the same text, kept in step by triggers (fts.py).
"""
