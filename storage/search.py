"""Finding posts and people by what they wrote: the full-text index of migration 0007.

Relevance is PostgreSQL's ``ts_rank_cd`` (cover density, divided by the log of the post's
length) and, on SQLite, the same measure from FTS5's own match positions: for a question whose
words are alternatives the two are equal; when every word must match, PostgreSQL also rewards
the words standing close together. The rest is the same SQL on both. A question is parsed in Python
(:func:`storage.fulltext.parse_query`: folded words, stop words out, each word matching either
its Dutch or its English stem), so nothing a person types can break the query syntax.

Only the newest :data:`MATCH_LIMIT` matching posts of a question are ranked (by post id, the
order the index keeps, so the newest recorded): a question made of the workspace's most common
words then costs no more than a rare one. Recency weighs in the ranking anyway, so what falls
off is old and commonplace. The limit counts matches of every workspace in the database before
the team is picked out, which matters only when several workspaces share one.

Relevance is divided by the best relevance among those matches, so that it lies between 0 and
1 on both databases, and then combined with the reactions and replies a post drew and its age.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from storage import fulltext
from storage.models import Post
from storage.visibility import (
    closed_channel,
    closed_channel_ids,
    hidden_author,
    visible_post,
    within_retention,
)

# Matching posts ranked per question, newest first (see the module docstring).
MATCH_LIMIT = 1000
# Age at which a post's recency weight has halved (as for experts on a tag).
HALF_LIFE_DAYS = 90.0
# distinctive_terms: the person's newest posts read (each is split into words and stemmed in
# Python, ~60 µs a post: 500 keep a profile quick and are plenty to say what someone writes
# about), and how far the posts with a term are counted exactly (see _workspace_posts).
TERM_POSTS = 500
TERM_COUNT_LIMIT = 1000
# Candidate terms (a person's most used) whose workspace counts are looked up.
TERM_CANDIDATES = 40

_LN2 = math.log(2)


def _matches(
    session: Session, query: Sequence[fulltext.QueryWord], *, every_word: bool
) -> Subquery:
    """(post_id, relevance) of the newest MATCH_LIMIT posts matching ``query``, any team."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table(fulltext.TABLE, column("rowid", Integer), column("terms", String))
        name: ColumnElement[Any] = literal_column(fulltext.TABLE)
        expression = fulltext.fts5_query(query, every_word=every_word)
        # What ts_rank_cd(terms, query, 1) is on PostgreSQL for a query of alternatives: the
        # terms that match (highlight() marks each one with a \x01) over ln(1 + the post's
        # number of terms). FTS5's bm25() would cost a pass over every post holding each
        # term on every question, tens of milliseconds for common words in a big workspace.
        terms = fts.c.terms
        matched = func.length(func.highlight(name, 0, func.char(1), "")) - func.length(terms)
        size = func.length(terms) - func.length(func.replace(terms, " ", "")) + 1
        stmt = (
            select(fts.c.rowid.label("post_id"), (matched / func.ln(1.0 + size)).label("relevance"))
            .where(name.op("MATCH")(bindparam("fts_query", expression, type_=String)))
            .order_by(fts.c.rowid.desc())
        )
    else:
        fts = table(fulltext.TABLE, column("post_id", BigInteger), column("terms"))
        # kring_search_word(w): either stem of one word (migration 0007); && or || join them.
        joiner = "&&" if every_word else "||"
        tsquery: ColumnElement[Any] = func.kring_search_word(
            bindparam(None, query[0].word, type_=Text)
        )
        for word in query[1:]:
            tsquery = tsquery.op(joiner)(
                func.kring_search_word(bindparam(None, word.word, type_=Text))
            )
        stmt = (
            select(
                fts.c.post_id.label("post_id"),
                # 1: divided by 1 + log(length), as BM25 favours short posts.
                cast(func.ts_rank_cd(fts.c.terms, tsquery, 1), Float).label("relevance"),
            )
            .where(fts.c.terms.op("@@")(tsquery))
            .order_by(fts.c.post_id.desc())
        )
    return stmt.limit(MATCH_LIMIT).subquery("matches")


def _recency(now: datetime) -> ColumnElement[float]:
    age_days = (now.timestamp() - cast(Post.ts, Float)) / 86400.0
    return func.exp(-_LN2 * age_days / HALF_LIFE_DAYS)


def _engagement() -> ColumnElement[float]:
    """1 for a post nobody reacted to, growing slowly (logarithmically) with reactions and
    replies, a reply counting twice: many reactions lift a relevant post, they cannot make an
    unrelated one relevant."""
    return 1.0 + func.ln(1.0 + Post.reaction_count + 2 * Post.reply_count)


def _scored(
    session: Session,
    team_id: str,
    query: Sequence[fulltext.QueryWord],
    now: datetime,
    *,
    every_word: bool,
    recency_floor: float,
    kept_since: datetime | None,
) -> Subquery:
    """Visible matching posts of ``team_id`` with their score: relevance (0-1) × engagement ×
    recency, recency running from 1 (now) down towards ``recency_floor``.

    Visible by :func:`storage.visibility.visible_post`, per matching post (an EXISTS on the
    author's person row: a ``NOT IN`` list of hidden people made PostgreSQL read the whole
    posts table instead of looking up the few matching posts; closed channels as a list read
    once, usually empty)."""
    m = _matches(session, query, every_word=every_word)
    best = func.max(m.c.relevance).over()
    relevance = func.coalesce(m.c.relevance / func.nullif(best, 0.0), 1.0)
    recency = recency_floor + (1.0 - recency_floor) * _recency(now)
    return (
        select(
            Post.id.label("post_id"),
            Post.user_id.label("user_id"),
            Post.reaction_count.label("reactions"),
            Post.reply_count.label("replies"),
            (relevance * _engagement() * recency).label("score"),
        )
        .select_from(m)
        .join(Post, Post.id == m.c.post_id)
        .where(
            Post.team_id == team_id,
            visible_post(team_id, Post, kept_since, closed_channel_ids(session, team_id)),
        )
        .subquery("scored")
    )


@dataclass(frozen=True)
class SearchHit:
    post_id: int
    channel_id: str
    ts: str
    user_id: str
    text: str
    thread_ts: str | None
    posted_at: datetime
    reactions: int
    replies: int
    score: float


def search_posts(
    *,
    session: Session,
    team_id: str,
    query: str,
    now: datetime,
    limit: int = 5,
    offset: int = 0,
    kept_since: datetime | None = None,
) -> list[SearchHit]:
    """The posts that best answer ``query`` (free words, Dutch or English), best first.

    A post must contain every word of the question (in any form with the same stem; stop words
    do not count). Ranked by relevance, lifted by reactions and replies and lowered with age
    (half the recency weight after 90 days, never below half). Only visible posts (see
    :mod:`storage.visibility`; none before ``kept_since``) are found. ``offset`` pages on. A question
    with no words left (only stop words or punctuation) matches nothing.
    """
    words = fulltext.parse_query(query)
    if not words or limit <= 0:
        return []
    scored = _scored(
        session, team_id, words, now, every_word=True, recency_floor=0.5, kept_since=kept_since
    )
    # The page is picked from the scores alone; only its few posts are read in full.
    page = (
        select(scored.c.post_id, scored.c.score)
        .order_by(scored.c.score.desc(), scored.c.post_id.desc())
        .limit(limit)
        .offset(max(0, offset))
        .subquery("page")
    )
    stmt = (
        select(
            Post.id,
            Post.channel_id,
            Post.ts,
            Post.user_id,
            Post.text,
            Post.thread_ts,
            Post.posted_at,
            Post.reaction_count,
            Post.reply_count,
            page.c.score,
        )
        .select_from(page)
        .join(Post, Post.id == page.c.post_id)
        .order_by(page.c.score.desc(), Post.id.desc())
    )
    return [
        SearchHit(
            int(pid),
            channel,
            ts,
            user,
            text or "",
            thread,
            posted,
            int(reactions or 0),
            int(replies or 0),
            float(score or 0.0),
        )
        for pid, channel, ts, user, text, thread, posted, reactions, replies, score in (
            session.execute(stmt)
        )
    ]


@dataclass(frozen=True)
class WordExpert:
    user_id: str
    score: float
    posts: int  # their matching posts among those ranked
    reactions: int
    replies: int
    best_post_id: int  # the post that weighs most in their score: the evidence to show


def experts_by_words(
    *,
    session: Session,
    team_id: str,
    query: str,
    now: datetime,
    limit: int = 10,
    exclude: Collection[str] = (),
    kept_since: datetime | None = None,
) -> list[WordExpert]:
    """The people who wrote most about ``query`` (free words, Dutch or English).

    Every post matching any word of the question counts for its author: relevance (posts with
    more of the words, and with them more often, weigh more) × engagement × recency (90-day
    half-life), summed per person. Each person comes with their best post as evidence. Only
    visible posts count (see :mod:`storage.visibility`; none before ``kept_since``), so hidden
    people are left out, and so is ``exclude``.
    """
    words = fulltext.parse_query(query)
    if not words or limit <= 0:
        return []
    scored = _scored(
        session, team_id, words, now, every_word=False, recency_floor=0.0, kept_since=kept_since
    )
    author = scored.c.user_id
    ranked = select(
        scored.c.user_id,
        scored.c.post_id,
        func.sum(scored.c.score).over(partition_by=author).label("total"),
        func.count().over(partition_by=author).label("posts"),
        func.sum(scored.c.reactions).over(partition_by=author).label("reactions"),
        func.sum(scored.c.replies).over(partition_by=author).label("replies"),
        func.row_number()
        .over(
            partition_by=scored.c.user_id,
            order_by=(scored.c.score.desc(), scored.c.post_id.desc()),
        )
        .label("place"),
    ).subquery("ranked")
    stmt = (
        select(
            ranked.c.user_id,
            ranked.c.total,
            ranked.c.posts,
            ranked.c.reactions,
            ranked.c.replies,
            ranked.c.post_id,
        )
        .where(ranked.c.place == 1)
        .order_by(ranked.c.total.desc(), ranked.c.user_id)
        .limit(limit + len(exclude))
    )
    out = [
        WordExpert(uid, float(total or 0.0), int(n), int(r or 0), int(p or 0), int(best))
        for uid, total, n, r, p, best in session.execute(stmt)
        if uid not in exclude
    ]
    return out[:limit]


@dataclass(frozen=True)
class Term:
    word: str  # the form the person wrote most (folded: lower case, no diacritics)
    posts: int  # their posts with it in the period
    workspace_posts: int  # all posts with it (see _workspace_posts)
    score: float


def distinctive_terms(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    days: int = 90,
    limit: int = 5,
    below: int | None = None,
    kept_since: datetime | None = None,
) -> list[Term]:
    """What a person writes about: terms frequent in their posts of the last ``days`` days and
    rare in the workspace, best first.

    With ``below``, only terms in fewer than ``below`` posts count, each stem counted no
    further (:func:`_capped_posts`): the work is then bounded on any workspace, where the
    exact counts of common words cost a pass over a large part of SQLite's index.

    Words with the same Dutch or English stem are one term (``vergadering`` and
    ``vergaderingen``), shown as the form the person used most. A term needs at least two of
    their posts and three letters. Score: their posts with it × ln(1 + all posts / all posts
    with it), the counts of every workspace in the database (see :func:`_workspace_posts`).
    Their newest TERM_POSTS visible posts are read (see :mod:`storage.visibility`; none before
    ``kept_since``). Nothing for someone who is hidden.
    """
    if limit <= 0:
        return []
    if session.scalar(select(hidden_author(team_id, literal(user_id, type_=String)))):
        return []
    texts = session.scalars(
        select(Post.text)
        .where(
            Post.team_id == team_id,
            Post.user_id == user_id,
            Post.posted_at >= now - timedelta(days=days),
            Post.posted_at <= now,
            within_retention(Post.posted_at, kept_since),
            ~closed_channel(team_id, Post.channel_id),
        )
        .order_by(Post.posted_at.desc())
        .limit(TERM_POSTS)
    )
    terms = _TermCounter()
    for body in texts:
        terms.add_post(fulltext.words(body or ""))
    candidates = terms.candidates(TERM_CANDIDATES)
    if not candidates:
        return []
    stems = sorted({stem for term in candidates for stem in terms.stems[term]})
    if below is None:
        counts = _workspace_posts(session, stems)
    else:
        counts = _rarity_counts(session, stems, below)
        candidates = [
            term
            for term in candidates
            if all(counts.get(stem, 0) < below for stem in terms.stems[term])
        ]
    # The span of post ids: how many posts there are, near enough (deleted ones count), read
    # from the primary key's two ends instead of counting a million rows.
    low, high = _id_span(session)
    total = (high - low + 1) if low is not None and high is not None else 0
    scored = []
    for term in candidates:
        mine = terms.posts[term]
        everywhere = max(mine, *(counts.get(stem, 0) for stem in terms.stems[term]))
        score = mine * math.log(1.0 + max(total, everywhere) / everywhere)
        scored.append(Term(terms.shown(term), mine, everywhere, score))
    scored.sort(key=lambda t: (-t.score, t.word))
    return scored[:limit]


class _TermCounter:
    """A person's words grouped into terms (words sharing a stem), with post counts."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}  # stem → stem (union-find)
        self._word_stems: dict[str, tuple[str, ...]] = {}
        self._word_posts: Counter[str] = Counter()
        self._post_words: list[set[str]] = []
        self.posts: Counter[str] = Counter()
        self.stems: dict[str, set[str]] = {}
        self._forms: dict[str, Counter[str]] = {}

    def _find(self, stem: str) -> str:
        root = self._parent.setdefault(stem, stem)
        while root != self._parent[root]:
            root = self._parent[root]
        self._parent[stem] = root
        return root

    def add_post(self, words: Sequence[str]) -> None:
        distinct = {w for w in words if len(w) >= 3 and not w.isdigit()}
        for word in distinct:
            if word not in self._word_stems:
                stems = tuple(dict.fromkeys(fulltext.stems(word)))
                self._word_stems[word] = stems
                first = self._find(stems[0])
                for other in stems[1:]:
                    self._parent[self._find(other)] = first
            self._word_posts[word] += 1
        self._post_words.append(distinct)

    def candidates(self, count: int) -> list[str]:
        """The ``count`` terms in most posts (at least two), by their root stem."""
        for words in self._post_words:
            for root in {self._find(self._word_stems[w][0]) for w in words}:
                self.posts[root] += 1
        for word, stems in self._word_stems.items():
            root = self._find(stems[0])
            self.stems.setdefault(root, set()).update(stems)
            self._forms.setdefault(root, Counter())[word] = self._word_posts[word]
        ranked = sorted(
            (root for root, n in self.posts.items() if n >= 2),
            key=lambda root: (-self.posts[root], root),
        )
        return ranked[:count]

    def shown(self, root: str) -> str:
        forms = self._forms[root]
        return min(forms, key=lambda word: (-forms[word], len(word), word))


def _workspace_posts(session: Session, stems: Sequence[str]) -> dict[str, int]:
    """How many posts (of every workspace) hold each stem.

    SQLite reads FTS5's own counts (``posts_fts_vocab``). PostgreSQL takes the frequent ones
    from its statistics of ``posts_fts.terms`` (the most common lexemes ANALYZE found, with
    their share of rows), which cost nothing to read, and counts the others in the index, up
    to TERM_COUNT_LIMIT each: terms that are not among the most common are rare enough for
    that to be quick.
    """
    if not stems:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_term_posts(session, stems)
    counts = _most_common(session, set(stems))
    rest = [stem for stem in stems if stem not in counts]
    return counts | _capped_posts(session, rest, TERM_COUNT_LIMIT)


def _rarity_counts(session: Session, stems: Sequence[str], below: int) -> dict[str, int]:
    """Posts holding each stem, counted far enough to tell whether it is in fewer than ``below``.

    PostgreSQL's statistics name the most common lexemes with their share of rows: those are
    taken from there, as counting ``below`` rows of a frequent lexeme means reading as many rows
    of ``posts_fts`` (its GIN index gives no order to stop early in); the others are counted up
    to ``below``. SQLite counts each up to ``below`` (FTS5 reads them from the term's list)."""
    known = _most_common(session, set(stems)) if session.get_bind().dialect.name != "sqlite" else {}
    return known | _capped_posts(session, [stem for stem in stems if stem not in known], below)


def _capped_posts(session: Session, stems: Sequence[str], cap: int) -> dict[str, int]:
    """How many posts (of every workspace) hold each stem, counted up to ``cap`` (a stem in
    more posts reads as ``cap``): at most ``cap`` index entries read per stem.

    One small statement per stem, the same each time: SQLAlchemy compiles it once, where a
    UNION of as many parts as there are stems was compiled anew for every person (~25 ms, far
    more than the database's work)."""
    if not stems:
        return {}
    statement = _one_stem_count(session, cap)
    return {
        stem: int(session.execute(statement, {"stem": _stem_param(session, stem)}).scalar() or 0)
        for stem in stems
    }


def _stem_param(session: Session, stem: str) -> str:
    """``stem`` as the bound value that matches exactly this one term: an FTS5 string (see
    fulltext.fts5_query) on SQLite, the lexeme itself on PostgreSQL (quoted by the statement)."""
    if session.get_bind().dialect.name == "sqlite":
        return '"' + stem.replace('"', '""') + '"'
    return stem


def _stem_match(session: Session) -> ColumnElement[bool]:
    """The full-text condition for the bound ``stem`` (see :func:`_stem_param`)."""
    if session.get_bind().dialect.name == "sqlite":
        name: ColumnElement[Any] = literal_column(fulltext.TABLE)
        return name.op("MATCH")(bindparam("stem", type_=String))
    # A quoted tsquery literal is exactly one lexeme, whatever characters it holds.
    lexeme = cast(func.quote_literal(bindparam("stem", type_=Text)), TSQUERY)
    return column("terms").op("@@")(lexeme)


def _one_stem_count(session: Session, cap: int) -> Select[int]:
    capped = (
        select(literal(1).label("hit"))
        .select_from(table(fulltext.TABLE))
        .where(_stem_match(session))
        .limit(cap)
        .subquery()
    )
    return select(func.count()).select_from(capped)


def _id_span(session: Session) -> tuple[int | None, int | None]:
    """The lowest and highest post id. Asked as two subqueries: SQLite reads one end of the
    primary key for a lone min() or max(), but scans the whole table for both in one select."""
    lowest = select(func.min(Post.id)).scalar_subquery()
    highest = select(func.max(Post.id)).scalar_subquery()
    low, high = session.execute(select(lowest, highest)).one()
    return low, high


def _sqlite_term_posts(session: Session, stems: Sequence[str]) -> dict[str, int]:
    """SQLite: posts holding each stem, exact up to TERM_COUNT_LIMIT and estimated above it.

    FTS5's own count (``posts_fts_vocab``) reads a term's whole posting list: ~14 ms for a term
    in a fifth of a million posts, so a profile's forty terms took half a second. Instead the
    newest TERM_COUNT_LIMIT posts holding the stem are read (newest first, by post id); when
    there are that many, the share of the id range they span gives the estimate
    (TERM_COUNT_LIMIT × all ids / ids spanned), within a few percent for a term used steadily.
    One statement per stem, compiled once (see :func:`_capped_posts`).
    """
    low, high = _id_span(session)
    if low is None or high is None:
        return {}
    fts = table(fulltext.TABLE, column("rowid", Integer))
    newest = (
        select(fts.c.rowid)
        .where(_stem_match(session))
        .order_by(fts.c.rowid.desc())
        .limit(TERM_COUNT_LIMIT)
        .subquery()
    )
    statement = select(func.count(), func.min(newest.c.rowid)).select_from(newest)
    counts: dict[str, int] = {}
    for stem in stems:
        n, oldest = session.execute(statement, {"stem": _stem_param(session, stem)}).one()
        if n >= TERM_COUNT_LIMIT and oldest is not None:
            n = round(n * (high - low + 1) / max(1, high - oldest + 1))
        counts[stem] = int(n)
    return counts


def _most_common(session: Session, stems: set[str]) -> dict[str, int]:
    """PostgreSQL: rows of ``posts_fts`` holding each of ``stems`` that its statistics list
    among the most common lexemes (none before the table was first analysed)."""
    row = session.execute(
        text(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
            " FROM pg_stats AS s JOIN pg_class AS c ON c.oid = to_regclass(:name)"
            " WHERE s.schemaname = current_schema() AND s.tablename = :table"
            " AND s.attname = 'terms'"
        ),
        {"name": fulltext.TABLE, "table": fulltext.TABLE},
    ).first()
    if row is None or row[0] is None or row[1] is None or not row[2] or row[2] < 0:
        return {}
    lexemes, shares, rows = row
    return {
        lexeme: round(share * rows)
        for lexeme, share in zip(lexemes, shares, strict=False)
        if lexeme in stems
    }


# term_writers: the newest posts matching each term that are read (as MATCH_LIMIT for a
# question): a term distinctive for someone is rare, so this is all of them in practice.
TERM_WRITER_POSTS = TERM_COUNT_LIMIT


def _term_posts(session: Session) -> Subquery:
    """(post_id) of the newest TERM_WRITER_POSTS posts (any team) holding the bound ``word``
    (see :func:`_word_param`) in any form with one of its stems: the index alone, no relevance
    computed."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table(fulltext.TABLE, column("rowid", Integer))
        name: ColumnElement[Any] = literal_column(fulltext.TABLE)
        stmt = (
            select(fts.c.rowid.label("post_id"))
            .where(name.op("MATCH")(bindparam("word", type_=String)))
            .order_by(fts.c.rowid.desc())
        )
    else:
        pg = table(fulltext.TABLE, column("post_id", BigInteger), column("terms"))
        tsquery = func.kring_search_word(bindparam("word", type_=Text))
        stmt = (
            select(pg.c.post_id.label("post_id"))
            .where(pg.c.terms.op("@@")(tsquery))
            .order_by(pg.c.post_id.desc())
        )
    return stmt.limit(TERM_WRITER_POSTS).subquery()


def _word_param(session: Session, word: str) -> str:
    """The bound ``word`` of :func:`_term_posts`: an FTS5 expression for the word's stems on
    SQLite, the word itself on PostgreSQL (stemmed there by ``kring_search_word``)."""
    query = fulltext.parse_query(word)[:1]
    if session.get_bind().dialect.name == "sqlite":
        return fulltext.fts5_query(query, every_word=True)
    return query[0].word


def term_writers(
    *,
    session: Session,
    team_id: str,
    terms: Sequence[str],
    now: datetime,
    days: int = 90,
    min_posts: int = 2,
    kept_since: datetime | None = None,
) -> dict[str, dict[str, int]]:
    """Who writes about ``terms`` (words as :func:`distinctive_terms` shows them): for each
    author of at least ``min_posts`` posts of the last ``days`` days holding a term (in any form
    with the same stem), their number of such posts per term, ``{user: {term: posts}}``.

    Since the terms are rare in the workspace, a term someone wrote that often is distinctive
    for them as well, by the measure of :func:`distinctive_terms`. Each term reads its newest TERM_WRITER_POSTS matching posts at most. Only visible posts
    count (:func:`storage.visibility.visible_post`; none before ``kept_since``), so hidden
    people are left out too.
    """
    words = [word for word in dict.fromkeys(terms) if fulltext.parse_query(word)]
    if not words:
        return {}
    since = now - timedelta(days=days)
    closed = closed_channel_ids(session, team_id)
    matching = _term_posts(session)
    # One statement per term, the same each time (compiled once; see _capped_posts).
    statement = (
        select(Post.user_id, func.count())
        .select_from(matching)
        .join(Post, Post.id == matching.c.post_id)
        .where(
            Post.team_id == team_id,
            Post.posted_at >= since,
            Post.posted_at <= now,
            visible_post(team_id, Post, kept_since, closed),
        )
        .group_by(Post.user_id)
        .having(func.count() >= min_posts)
    )
    out: dict[str, dict[str, int]] = {}
    for word in words:
        for user_id, posts in session.execute(statement, {"word": _word_param(session, word)}):
            out.setdefault(str(user_id), {})[word] = int(posts)
    return out
