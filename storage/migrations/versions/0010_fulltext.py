"""full-text search: posts_fts on both databases, kept current by the database itself

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:00:00.000000

Every post's words are indexed as Dutch and English Snowball stems, diacritics folded and stop
words of either language left out (see ``storage/fulltext.py`` for the pipeline, which both
databases follow step by step). ``posts_fts`` holds one row per post, keyed by the post's id,
and triggers on ``posts`` keep it current whatever inserts, edits or deletes posts (ingest,
edits, deletions, forget-me, opt-out purges, retention, channel purges, bulk loads):

* SQLite: an FTS5 table (``tokenize='ascii'``: the terms come in as plain words) whose only
  column holds ``kring_search_terms(text)``, a Python function ``storage.db.make_engine``
  registers on every connection. The table keeps its own copy of the terms, so deleting a row
  needs no function and can never disagree with what was indexed. Row-level triggers.
* PostgreSQL: a table of ``tsvector`` with a GIN index. ``kring_fold`` (an IMMUTABLE
  function: markup out, diacritics folded through NFKD, punctuation to spaces, lower case; no
  extension such as unaccent needed, so nothing outside the schema) feeds the text search
  configurations ``kring_nl`` and ``kring_en`` (Snowball ``dutch_stem``/``english_stem`` behind
  a ``simple`` dictionary that drops the other language's stop words). Inserts and deletes are
  handled per statement (transition tables), text edits per row.

Existing posts are indexed here. Careful with later migrations: rebuilding ``posts`` with
Alembic's batch mode on SQLite (``recreate``) drops its triggers; they must be created again.
The expressions below are a frozen copy of ``storage.fulltext``'s (a test compares them).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# storage.fulltext at the time of this migration (a test compares them).
LABELLED_MARKUP = r"<[^<>|]*\|([^<>]*)>"
MARKUP = r"<[^<>]*>|&[a-z]+;|:[a-z0-9_+'-]+:"
NON_ASCII = r"[^\u0001-\u007f]"
MARKS = r"[\u0300-\u036f]"
FOLD_PAIRS = (
    ("ß", "ss"),
    ("ẞ", "ss"),
    ("æ", "ae"),
    ("Æ", "ae"),
    ("œ", "oe"),
    ("Œ", "oe"),
    ("þ", "th"),
    ("Þ", "th"),
    ("ø", "o"),
    ("Ø", "o"),
    ("đ", "d"),
    ("Đ", "d"),
    ("ð", "d"),
    ("Ð", "d"),
    ("ł", "l"),
    ("Ł", "l"),
    ("ħ", "h"),
    ("Ħ", "h"),
    ("ı", "i"),
    ("ŧ", "t"),
    ("Ŧ", "t"),
)
UNICODE_SEPARATORS = "[\u00a1\u00ab\u00b7\u00bb\u00bf\u2010-\u2015\u2018-\u201f\u2022\u2032\u2033]"
SEPARATORS = r"[\u0001-\u001f!-/:-@\[-`{-\u007f]"

# Token types PostgreSQL's parser can make of folded text (letters, digits and spaces only).
_WORD_TOKENS = "asciiword, word, numword, int, uint, float, sfloat, version"

_SQLITE = [
    "CREATE VIRTUAL TABLE posts_fts USING fts5(terms, tokenize = 'ascii')",
    # How many posts hold each term (distinctive terms in profiles).
    "CREATE VIRTUAL TABLE posts_fts_vocab USING fts5vocab(posts_fts, row)",
    """
    CREATE TRIGGER tr_posts_fts_insert AFTER INSERT ON posts
    BEGIN
        INSERT INTO posts_fts (rowid, terms) VALUES (NEW.id, kring_search_terms(NEW.text));
    END
    """,
    """
    CREATE TRIGGER tr_posts_fts_update AFTER UPDATE OF text ON posts
    WHEN OLD.text IS NOT NEW.text
    BEGIN
        DELETE FROM posts_fts WHERE rowid = OLD.id;
        INSERT INTO posts_fts (rowid, terms) VALUES (NEW.id, kring_search_terms(NEW.text));
    END
    """,
    """
    CREATE TRIGGER tr_posts_fts_delete AFTER DELETE ON posts
    BEGIN
        DELETE FROM posts_fts WHERE rowid = OLD.id;
    END
    """,
    "INSERT INTO posts_fts (rowid, terms) SELECT id, kring_search_terms(text) FROM posts",
]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fold_sql() -> str:
    """kring_fold's body: storage.fulltext.fold() step by step."""
    pairs = "f"
    for letter, plain in FOLD_PAIRS:
        pairs = f"replace({pairs}, {_literal(letter)}, {_literal(plain)})"
    return f"""
        DECLARE
            f text := regexp_replace(
                regexp_replace(t, {_literal(LABELLED_MARKUP)}, ' \\1 ', 'g'),
                {_literal(MARKUP)}, ' ', 'g');
        BEGIN
            IF f ~ {_literal(NON_ASCII)} THEN
                f := regexp_replace(normalize(f, NFKD), {_literal(MARKS)}, '', 'g');
                f := regexp_replace({pairs}, {_literal(UNICODE_SEPARATORS)}, ' ', 'g');
            END IF;
            RETURN lower(regexp_replace(f, {_literal(SEPARATORS)}, ' ', 'g'));
        END
    """


def _postgresql() -> list[str]:
    return [
        # IMMUTABLE: it only calls pg_catalog functions whose results depend on no setting.
        f"""
        CREATE FUNCTION kring_fold(t text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ {_fold_sql()} $$
        """,
        "CREATE TEXT SEARCH DICTIONARY kring_english_stop"
        " (TEMPLATE = pg_catalog.simple, STOPWORDS = english, ACCEPT = false)",
        "CREATE TEXT SEARCH DICTIONARY kring_dutch_stop"
        " (TEMPLATE = pg_catalog.simple, STOPWORDS = dutch, ACCEPT = false)",
        "CREATE TEXT SEARCH CONFIGURATION kring_nl (PARSER = pg_catalog.default)",
        f"ALTER TEXT SEARCH CONFIGURATION kring_nl ADD MAPPING FOR {_WORD_TOKENS}"
        " WITH kring_english_stop, pg_catalog.dutch_stem",
        "CREATE TEXT SEARCH CONFIGURATION kring_en (PARSER = pg_catalog.default)",
        f"ALTER TEXT SEARCH CONFIGURATION kring_en ADD MAPPING FOR {_WORD_TOKENS}"
        " WITH kring_dutch_stop, pg_catalog.english_stem",
        # SQL-standard bodies (PostgreSQL 14+) are parsed here, once: the configurations and
        # kring_fold are bound by OID, whatever the search_path of the session calling them.
        """
        CREATE FUNCTION kring_search_vector(t text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN (SELECT to_tsvector('kring_nl'::regconfig, f) || to_tsvector('kring_en'::regconfig, f)
                FROM kring_fold(t) AS f)
        """,
        # One word of a question: either of its stems (empty for a stop word), the stem once
        # when both are the same: 'goal' | 'goal' would make the planner count its posts twice
        # and read the newest posts one by one instead of going through the index.
        """
        CREATE FUNCTION kring_search_word(w text) RETURNS tsquery
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN (SELECT CASE WHEN nl = en THEN nl ELSE nl || en END
                FROM (SELECT plainto_tsquery('kring_nl'::regconfig, f) AS nl,
                             plainto_tsquery('kring_en'::regconfig, f) AS en
                      FROM kring_fold(w) AS f) AS stems)
        """,
        """
        CREATE TABLE posts_fts (
            post_id BIGINT PRIMARY KEY,
            terms tsvector NOT NULL
        )
        """,
        """
        CREATE FUNCTION kring_posts_fts_insert() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO posts_fts (post_id, terms)
            SELECT id, coalesce(kring_search_vector(text), '') FROM kring_new_posts;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION kring_posts_fts_delete() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            DELETE FROM posts_fts WHERE post_id IN (SELECT id FROM kring_old_posts);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION kring_posts_fts_update() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO posts_fts (post_id, terms)
            VALUES (NEW.id, coalesce(kring_search_vector(NEW.text), ''))
            ON CONFLICT (post_id) DO UPDATE SET terms = EXCLUDED.terms;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER tr_posts_fts_insert AFTER INSERT ON posts
        REFERENCING NEW TABLE AS kring_new_posts
        FOR EACH STATEMENT EXECUTE FUNCTION kring_posts_fts_insert()
        """,
        """
        CREATE TRIGGER tr_posts_fts_delete AFTER DELETE ON posts
        REFERENCING OLD TABLE AS kring_old_posts
        FOR EACH STATEMENT EXECUTE FUNCTION kring_posts_fts_delete()
        """,
        """
        CREATE TRIGGER tr_posts_fts_update AFTER UPDATE OF text ON posts
        FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
        EXECUTE FUNCTION kring_posts_fts_update()
        """,
        "INSERT INTO posts_fts (post_id, terms)"
        " SELECT id, coalesce(kring_search_vector(text), '') FROM posts",
        "CREATE INDEX ix_posts_fts_terms ON posts_fts USING gin (terms)",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE if sqlite else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tr_posts_fts_{name}")
        op.execute("DROP TABLE IF EXISTS posts_fts_vocab")
        op.execute("DROP TABLE IF EXISTS posts_fts")
        return
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS tr_posts_fts_{name} ON posts")
        op.execute(f"DROP FUNCTION IF EXISTS kring_posts_fts_{name}()")
    op.execute("DROP TABLE IF EXISTS posts_fts")
    op.execute("DROP FUNCTION IF EXISTS kring_search_word(text)")
    op.execute("DROP FUNCTION IF EXISTS kring_search_vector(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kring_nl")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kring_en")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS kring_english_stop")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS kring_dutch_stop")
    op.execute("DROP FUNCTION IF EXISTS kring_fold(text)")
