"""How post texts become search terms, the same way on SQLite and PostgreSQL.

Both databases index a post as the stems of its words, in Dutch and in English, so that a
question in either language finds posts in either: ``ontwikkelaars`` finds ``ontwikkelaar``
(Dutch stem ``ontwikkelar``), ``deploying`` finds ``deployed`` (English stem ``deploy``). The
steps, in order, identical on both sides:

1. Slack markup goes: ``<https://…|label>`` and ``<#C…|name>`` keep their label, other
   ``<…>`` (links, mentions), ``&amp;``-style entities and ``:emoji:`` codes become spaces;
2. diacritics are folded (``café`` = ``cafe``, ``ß`` = ``ss``, through Unicode NFKD),
   punctuation becomes spaces, and everything is lower-cased (:func:`fold`);
3. the words are the runs of letters and digits (:func:`words`);
4. stop words of either language are left out (PostgreSQL's own ``dutch.stop`` and
   ``english.stop`` lists, copied below), so ``de`` and ``the`` match nothing;
5. every other word is indexed twice: its Dutch Snowball stem and its English one.

PostgreSQL does steps 1-2 in the SQL function ``kring_fold`` and 3-5 with the text search
configurations ``kring_nl`` and ``kring_en`` (Snowball ``dutch_stem``/``english_stem`` behind a
filter dropping the other language's stop words), see migration 0007. SQLite gets the whole
pipeline from :func:`search_terms`, registered on every connection as the SQL function
``kring_search_terms`` (:func:`register`) and called by the triggers that keep its FTS5 table
current. PyStemmer 2.2 carries Snowball 2.2, the same stemmers PostgreSQL 15 ships (Snowball 3
changed the Dutch one), so both databases store the same stems.

Changing anything here changes what the SQLite triggers write: the index must then be rebuilt
by a new migration, and the PostgreSQL functions changed to match (a test compares the
expressions and tables with the migration's copy).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import Stemmer

# The SQL function SQLite's triggers call (see register()).
SQL_FUNCTION = "kring_search_terms"
# The full-text tables (and on SQLite their shadow tables) are named posts_fts*.
TABLE = "posts_fts"

# Query words beyond this many are ignored: enough for any question, and it bounds the query.
MAX_QUERY_WORDS = 12
# PostgreSQL skips words longer than this many bytes (with a notice); so does SQLite here.
MAX_WORD_BYTES = 2047


def _listed(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# PostgreSQL 15's tsearch_data/dutch.stop and english.stop (Snowball's lists), verbatim.
DUTCH_STOP_WORDS = _listed(
    """
    de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om
    hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar
    naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden toch al
    waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd
    altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest
    andere
    """
)
ENGLISH_STOP_WORDS = _listed(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """
)
STOP_WORDS = DUTCH_STOP_WORDS | ENGLISH_STOP_WORDS

# Steps 1-2 are regular expressions that mean the same to Python's re and PostgreSQL's
# (ARE) engine; kring_fold runs them in the same order (see fold()).
# Step 1: a link or channel with a label keeps the label; other markup goes.
LABELLED_MARKUP = r"<[^<>|]*\|([^<>]*)>"
MARKUP = r"<[^<>]*>|&[a-z]+;|:[a-z0-9_+'-]+:"
# Step 2, only for text beyond ASCII: after NFKD (which splits é into e and a combining accent,
# and ligatures such as ĳ into letters) the combining marks go, letters written as two or
# without a decomposition are replaced, and Unicode punctuation people type between words
# becomes a space (PostgreSQL on a C-locale database would take it for letters).
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
# Step 2, always: ASCII punctuation and control characters become spaces.
SEPARATORS = r"[\u0001-\u001f!-/:-@\[-`{-\u007f]"

_LABELLED = re.compile(LABELLED_MARKUP)
_MARKUP = re.compile(MARKUP)
_MARKS = re.compile(MARKS)
_UNICODE_SEPARATORS = re.compile(UNICODE_SEPARATORS)
_SEPARATORS = re.compile(SEPARATORS)
# Runs of letters and digits: what PostgreSQL's parser makes words of, once step 2 left
# nothing else between them but spaces and symbols.
_WORD = re.compile(r"[^\W_]+")
# A word's stems, or None for a stop word or a word too long to index, as computed once.
_STEMS_CACHE: dict[str, tuple[str, str] | None] = {}
_STEMS_CACHE_SIZE = 50_000


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: schema comparisons (autogenerate) leave out the
    full-text tables and SQLite's shadow tables of them, which migration 0007 creates with
    raw SQL as the models cannot describe them."""
    del parent_names
    return not (type_ == "table" and bool(name) and str(name).startswith(TABLE))


def fold(text: str) -> str:
    """Steps 1-2: Slack markup out, diacritics folded, punctuation to spaces, lower case."""
    if "<" in text or "&" in text or ":" in text:
        text = _MARKUP.sub(" ", _LABELLED.sub(r" \1 ", text))
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
        for letter, plain in FOLD_PAIRS:
            text = text.replace(letter, plain)
        text = _UNICODE_SEPARATORS.sub(" ", text)
    return _SEPARATORS.sub(" ", text).lower()


def _tokens(text: str) -> list[str]:
    folded = fold(text)
    # Folded ASCII holds only letters, digits and spaces.
    return folded.split() if folded.isascii() else _WORD.findall(folded)


def words(text: str) -> list[str]:
    """Step 3-4: the folded words of ``text`` that are no stop words, in order."""
    return [word for word in _tokens(text) if _stems(word) is not None]


@functools.cache
def _stemmers() -> tuple[Any, Any]:
    return Stemmer.Stemmer("dutch"), Stemmer.Stemmer("english")


def stems(word: str) -> tuple[str, str]:
    """A folded word's Dutch and English stems (often the same)."""
    dutch, english = _stemmers()
    return dutch.stemWord(word), english.stemWord(word)


def _stems(word: str) -> tuple[str, str] | None:
    try:
        return _STEMS_CACHE[word]
    except KeyError:
        pass
    # PostgreSQL skips words longer than MAX_WORD_BYTES; a character takes at most 4 bytes.
    too_long = len(word) * 4 > MAX_WORD_BYTES and len(word.encode()) > MAX_WORD_BYTES
    result = None if word in STOP_WORDS or too_long else stems(word)
    if len(_STEMS_CACHE) >= _STEMS_CACHE_SIZE:
        _STEMS_CACHE.clear()  # crude, but a workspace's common words come back at once
    _STEMS_CACHE[word] = result
    return result


def search_terms(text: str | None) -> str:
    """What SQLite's full-text index stores for a post: the Dutch stems of its words, then
    their English stems, separated by spaces (step 5; PostgreSQL's ``kring_nl`` vector
    followed by its ``kring_en`` one holds the same lexemes)."""
    if not text:
        return ""
    dutch: list[str] = []
    english: list[str] = []
    for word in _tokens(text):
        pair = _stems(word)
        if pair is not None:
            dutch.append(pair[0])
            english.append(pair[1])
    return " ".join(dutch + english)


def register(dbapi_connection: Any) -> None:
    """Make ``kring_search_terms(text)`` available on a sqlite3 connection.

    SQLite's full-text triggers call it whenever a post is stored or its text changes, so every
    connection that may write posts needs it (``storage.db.make_engine`` registers it on each
    one it opens).
    """
    dbapi_connection.create_function(SQL_FUNCTION, 1, search_terms, deterministic=True)


@dataclass(frozen=True)
class QueryWord:
    """One word of a question: as folded, and the stems it matches in the index."""

    word: str
    stems: tuple[str, ...]


def parse_query(text: str) -> list[QueryWord]:
    """The words of a free-text question (stop words, punctuation and markup left out, at most
    MAX_QUERY_WORDS, each once) with their stems. Never fails, whatever the text."""
    # SQLite's FTS5 parser reads a query string only up to a NUL ("unterminated string").
    text = text.replace("\x00", " ")
    seen: set[str] = set()
    out: list[QueryWord] = []
    for word in words(text):
        if word in seen:
            continue
        seen.add(word)
        out.append(QueryWord(word, tuple(dict.fromkeys(stems(word)))))
        if len(out) == MAX_QUERY_WORDS:
            break
    return out


def fts5_query(query: Sequence[QueryWord], *, every_word: bool) -> str:
    """An FTS5 MATCH expression for the parsed words: each word matches either of its stems;
    with ``every_word`` a post must match all words, else any. Each stem is an FTS5 string
    (double quotes, a quote inside doubled), so nothing the person typed reaches the query
    syntax: ``NEAR``, ``*``, ``-``, ``:``, parentheses are plain text here (and are gone from
    the words by then anyway)."""
    joiner = " AND " if every_word else " OR "
    groups = []
    for word in query:
        quoted = " OR ".join('"' + stem.replace('"', '""') + '"' for stem in word.stems)
        groups.append(f"({quoted})")
    return joiner.join(groups)
