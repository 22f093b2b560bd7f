"""Full-text search on both databases: the same answers from the same bilingual corpus, and an
index that the database keeps current whatever changes the posts."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from storage import fulltext, search
from storage.db import MIGRATIONS, alembic_config, make_engine, make_sessions, upgrade
from storage.models import Post
from storage.posts import NewPost, delete_post, edit_post, record_post
from storage.privacy import forget, set_opted_out
from storage.retention import purge
from storage.search import (
    MATCH_LIMIT,
    distinctive_terms,
    experts_by_words,
    search_posts,
    term_writers,
)
from tests.fixtures import search_corpus as corpus
from tests.fixtures.search_corpus import NOW, TEAM

Sessions = sessionmaker[Session]


@pytest.fixture
def loaded(sessions: Sessions) -> dict[str, int]:
    with sessions.begin() as s:
        return corpus.load(s)


def found(sessions: Sessions, ids: dict[str, int], query: str, **kw: Any) -> list[str]:
    keys = {pid: key for key, pid in ids.items()}
    with sessions.begin() as s:
        hits = search_posts(session=s, team_id=TEAM, query=query, now=NOW, limit=50, **kw)
    return [keys[h.post_id] for h in hits]


def indexed(sessions: Sessions, post_id: int) -> bool:
    """Whether the full-text table itself holds a row for the post (not just the search)."""
    with sessions.begin() as s:
        key = "rowid" if s.get_bind().dialect.name == "sqlite" else "post_id"
        return bool(
            s.scalar(text(f"SELECT count(*) FROM posts_fts WHERE {key} = :id"), {"id": post_id})
        )


# -- the shared corpus: the same answers on SQLite and PostgreSQL ------------------------------


@pytest.mark.parametrize("query", list(corpus.SEARCHES))
def test_search_ranks_the_corpus_the_same_on_both_databases(
    sessions: Sessions, loaded: dict[str, int], query: str
) -> None:
    assert found(sessions, loaded, query) == corpus.SEARCHES[query]


@pytest.mark.parametrize("query", list(corpus.FINDS))
def test_search_finds_every_form_of_a_word(
    sessions: Sessions, loaded: dict[str, int], query: str
) -> None:
    assert set(found(sessions, loaded, query)) == corpus.FINDS[query]


@pytest.mark.parametrize("query", list(corpus.EXPERTS))
def test_experts_by_words_rank_people_with_their_best_post(
    sessions: Sessions, loaded: dict[str, int], query: str
) -> None:
    keys = {pid: key for key, pid in loaded.items()}
    with sessions.begin() as s:
        ranked = experts_by_words(session=s, team_id=TEAM, query=query, now=NOW)
    assert [(e.user_id, keys[e.best_post_id]) for e in ranked] == corpus.EXPERTS[query]


def test_experts_leave_out_whom_the_caller_excludes(
    sessions: Sessions, loaded: dict[str, int]
) -> None:
    with sessions.begin() as s:
        ranked = experts_by_words(
            session=s, team_id=TEAM, query="kubernetes", now=NOW, limit=1, exclude={"UANNA"}
        )
    assert [e.user_id for e in ranked] == ["UBRAM"]


def test_expert_counts_cover_their_matching_posts(
    sessions: Sessions, loaded: dict[str, int]
) -> None:
    with sessions.begin() as s:
        anna = experts_by_words(session=s, team_id=TEAM, query="kubernetes", now=NOW)[0]
    assert (anna.user_id, anna.posts, anna.reactions, anna.replies) == ("UANNA", 3, 6, 2)


def test_search_pages_on_with_offset(sessions: Sessions, loaded: dict[str, int]) -> None:
    everything = corpus.SEARCHES["kubernetes migration"]
    pages = [
        found(sessions, loaded, "kubernetes migration", offset=offset)[:2] for offset in (0, 2, 4)
    ]
    assert pages == [everything[:2], everything[2:4], []]


def test_search_hit_carries_what_a_reply_needs(sessions: Sessions, loaded: dict[str, int]) -> None:
    with sessions.begin() as s:
        (hit,) = search_posts(session=s, team_id=TEAM, query="factuur", now=NOW)
    assert (hit.user_id, hit.channel_id, hit.reactions, hit.replies) == ("UCARLA", "C1", 5, 2)
    assert hit.text.startswith("De facturatie voor maart")
    assert hit.posted_at == NOW - timedelta(days=2)


def test_other_workspaces_posts_are_not_found(sessions: Sessions, loaded: dict[str, int]) -> None:
    with sessions.begin() as s:
        assert search_posts(session=s, team_id="T2", query="kubernetes", now=NOW) == []
        assert experts_by_words(session=s, team_id="T2", query="kubernetes", now=NOW) == []


def test_distinctive_terms_are_frequent_for_the_person_and_rare_elsewhere(
    sessions: Sessions,
) -> None:
    with sessions.begin() as s:
        for i, (user, words) in enumerate(
            [("UTERRA", "terraform modules for the team")] * 3
            + [("UTERRA", "vergaderingen met het team"), ("UTERRA", "vergadering met het team")]
            + [(f"UOTHER{i}", "team lunch and team drinks") for i in range(30)]
            + [("UOTHER0", "terraform once")]
        ):
            record_post(
                session=s,
                post=NewPost(TEAM, "C1", f"{NOW.timestamp() - 3600 - i:.0f}.000001", user, words),
            )
    with sessions.begin() as s:
        terms = distinctive_terms(session=s, team_id=TEAM, user_id="UTERRA", now=NOW, limit=3)
    # Everyone writes "team": it is not what sets this person apart.
    assert [t.word for t in terms] == ["modules", "terraform", "vergadering"]
    assert [(t.posts, t.workspace_posts) for t in terms] == [(3, 3), (3, 4), (2, 2)]
    with sessions.begin() as s:
        rare = distinctive_terms(session=s, team_id=TEAM, user_id="UTERRA", now=NOW, below=4)
    # Only terms in fewer than 4 posts, scored as before.
    assert [(t.word, t.score) for t in rare] == [
        (t.word, t.score) for t in terms if t.word != "terraform"
    ]


def test_workspace_counts_past_the_exact_limit_are_estimated_closely(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 posts, every fourth about terraform (50), spread evenly; only 10 are counted exactly.
    monkeypatch.setattr("storage.search.TERM_COUNT_LIMIT", 10)
    with sessions.begin() as s:
        for i in range(200):
            words = "terraform modules" if i % 4 == 0 else "team lunch"
            stamp = f"{NOW.timestamp() - 3600 - i:.0f}.000001"
            record_post(session=s, post=NewPost(TEAM, "C1", stamp, f"U{i % 7}", words))
        record_post(session=s, post=NewPost(TEAM, "C1", "1.000002", "UNEW", "zeppelin zeppelin"))
    with sessions.begin() as s:
        counts = search._workspace_posts(s, ["terraform", "team", "zeppelin", "absent"])
    if s.get_bind().dialect.name == "sqlite":
        assert 40 <= counts["terraform"] <= 60
        assert 135 <= counts["team"] <= 165
    else:  # PostgreSQL counts up to the limit those its statistics don't list
        assert counts["terraform"] >= 10
    assert counts["zeppelin"] == 1
    assert counts.get("absent", 0) == 0


def test_distinctive_terms_look_back_only_so_many_days(sessions: Sessions) -> None:
    with sessions.begin() as s:
        for i, days in enumerate((100, 120, 2)):
            stamp = f"{(NOW - timedelta(days=days)).timestamp():.0f}.00000{i}"
            record_post(session=s, post=NewPost(TEAM, "C1", stamp, "U1", "kubernetes upgrade"))
    with sessions.begin() as s:
        assert distinctive_terms(session=s, team_id=TEAM, user_id="U1", now=NOW) == []
        longer = distinctive_terms(session=s, team_id=TEAM, user_id="U1", now=NOW, days=365)
    assert {t.word for t in longer} == {"kubernetes", "upgrade"}


def test_hidden_people_have_no_distinctive_terms(
    sessions: Sessions, loaded: dict[str, int]
) -> None:
    with sessions.begin() as s:
        assert distinctive_terms(session=s, team_id=TEAM, user_id="UHIDDEN", now=NOW) == []
        assert distinctive_terms(session=s, team_id=TEAM, user_id="UANNA", now=NOW) != []


def test_term_writers_count_each_terms_posts_of_those_who_write_it_often(
    sessions: Sessions,
) -> None:
    with sessions.begin() as s:
        for i, (user, words, days, team) in enumerate(
            [
                ("UA", "terraform modules", 1, TEAM),
                ("UA", "Terraform-modules again", 2, TEAM),
                ("UA", "terraform", 3, TEAM),
                # Another form of the same word counts for it.
                ("UB", "vergaderingen over terraform", 1, TEAM),
                ("UB", "de vergadering", 2, TEAM),
                ("UB", "terraform", 120, TEAM),  # too long ago
                ("UC", "terraform once", 1, TEAM),
                ("UD", "terraform terraform", 1, "T2"),
                ("UD", "terraform", 2, "T2"),
            ]
        ):
            stamp = f"{(NOW - timedelta(days=days)).timestamp():.0f}.{i:06d}"
            record_post(session=s, post=NewPost(team, "C1", stamp, user, words))
    with sessions.begin() as s:
        writers = term_writers(
            session=s,
            team_id=TEAM,
            terms=["terraform", "modules", "vergadering", "the", "", "terraform"],
            now=NOW,
        )
        assert term_writers(session=s, team_id=TEAM, terms=["the", "..."], now=NOW) == {}
        once = term_writers(session=s, team_id=TEAM, terms=["terraform"], now=NOW, min_posts=1)
    assert writers == {
        "UA": {"terraform": 3, "modules": 2},
        "UB": {"vergadering": 2},
    }
    assert set(once) == {"UA", "UB", "UC"}


# -- the index follows every change to posts ---------------------------------------------------


def stored(sessions: Sessions, user: str, words: str, ts: str = "1764320000.000100") -> int:
    with sessions.begin() as s:
        record_post(session=s, post=NewPost(TEAM, "C1", ts, user, words))
        post_id = s.scalar(select(Post.id).where(Post.ts == ts))
    assert post_id is not None
    return post_id


def test_edited_text_is_searched_as_edited(sessions: Sessions) -> None:
    post_id = stored(sessions, "U1", "Rolling out kubernetes")
    with sessions.begin() as s:
        edit_post(session=s, post=NewPost(TEAM, "C1", "1764320000.000100", "U1", "Terraform now"))
    assert found(sessions, {"p": post_id}, "kubernetes") == []
    assert found(sessions, {"p": post_id}, "terraform") == ["p"]


def test_deleted_post_leaves_the_index(sessions: Sessions) -> None:
    post_id = stored(sessions, "U1", "Rolling out kubernetes")
    with sessions.begin() as s:
        delete_post(session=s, team_id=TEAM, channel_id="C1", ts="1764320000.000100", now=NOW)
    assert not indexed(sessions, post_id)


def test_forgotten_persons_posts_leave_the_index(sessions: Sessions) -> None:
    mine = stored(sessions, "U1", "Rolling out kubernetes", "1764320000.000100")
    theirs = stored(sessions, "U2", "Kubernetes too", "1764320000.000200")
    with sessions.begin() as s:
        forget(session=s, team_id=TEAM, user_id="U1", now=NOW)
    assert (indexed(sessions, mine), indexed(sessions, theirs)) == (False, True)
    assert found(sessions, {"theirs": theirs}, "kubernetes") == ["theirs"]


def test_opted_out_persons_posts_are_not_shown(sessions: Sessions) -> None:
    post_id = stored(sessions, "U1", "Rolling out kubernetes")
    with sessions.begin() as s:
        set_opted_out(session=s, team_id=TEAM, user_id="U1", opted_out=True, now=NOW)
    assert found(sessions, {"p": post_id}, "kubernetes") == []
    with sessions.begin() as s:
        assert experts_by_words(session=s, team_id=TEAM, query="kubernetes", now=NOW) == []
        set_opted_out(session=s, team_id=TEAM, user_id="U1", opted_out=False, now=NOW)
    assert found(sessions, {"p": post_id}, "kubernetes") == ["p"]


def test_retention_purge_takes_old_posts_out_of_the_index(sessions: Sessions) -> None:
    old = stored(
        sessions,
        "U1",
        "Kubernetes long ago",
        f"{(NOW - timedelta(days=400)).timestamp():.0f}.000001",
    )
    new = stored(
        sessions, "U1", "Kubernetes lately", f"{(NOW - timedelta(days=4)).timestamp():.0f}.000001"
    )
    with sessions.begin() as s:
        purge(session=s, before=NOW - timedelta(days=365), now=NOW)
    assert (indexed(sessions, old), indexed(sessions, new)) == (False, True)


def test_posts_deleted_in_bulk_leave_the_index(sessions: Sessions) -> None:
    # Whatever deletes posts (a channel leaving the public view, say), the database follows.
    gone = stored(sessions, "U1", "Kubernetes in C1", "1764320000.000100")
    with sessions.begin() as s:
        record_post(
            session=s, post=NewPost(TEAM, "C2", "1764320000.000200", "U1", "Kubernetes in C2")
        )
        s.execute(delete(Post).where(Post.channel_id == "C1"))
    assert not indexed(sessions, gone)
    with sessions.begin() as s:
        hits = search_posts(session=s, team_id=TEAM, query="kubernetes", now=NOW)
    assert [h.channel_id for h in hits] == ["C2"]


def test_other_updates_leave_the_index_alone(sessions: Sessions) -> None:
    post_id = stored(sessions, "U1", "Rolling out kubernetes")
    with sessions.begin() as s:
        s.execute(update(Post).where(Post.id == post_id).values(reaction_count=7))
    assert found(sessions, {"p": post_id}, "kubernetes") == ["p"]


def test_migration_indexes_posts_stored_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        cfg = alembic_config(db_url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0009")
        sessions = make_sessions(engine)
        with sessions.begin() as s:
            record_post(
                session=s, post=NewPost(TEAM, "C1", "1764320000.000100", "U1", "Vergaderingen")
            )
        upgrade(engine)
        with sessions.begin() as s:
            hits = search_posts(session=s, team_id=TEAM, query="vergadering", now=NOW)
        assert [h.ts for h in hits] == ["1764320000.000100"]
    finally:
        engine.dispose()


def test_only_the_newest_matches_are_ranked(sessions: Sessions) -> None:
    with sessions.begin() as s:
        s.execute(
            insert(Post),
            [
                {
                    "team_id": TEAM,
                    "channel_id": "C1",
                    "ts": f"{NOW.timestamp() - 10_000 + i:.0f}.000001",
                    "user_id": "U1",
                    "text": "kubernetes",
                    "posted_at": NOW,
                    "links": [],
                    "files": [],
                    "reaction_count": 0,
                    "reactor_count": 0,
                    "reply_count": 0,
                }
                for i in range(MATCH_LIMIT + 5)
            ],
        )
    with sessions.begin() as s:
        (expert,) = experts_by_words(session=s, team_id=TEAM, query="kubernetes", now=NOW)
    assert expert.posts == MATCH_LIMIT


# -- questions as people type them: never an error ---------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.sampled_from(
            list("abcé\"*-()^:+~!?&|<>@#{}[]\\'.,;/ \n\t")
            + ["NEAR", "AND", "OR", "NOT", " ", "ß", "🎉", "de", "the", "kubernetes"]
        ),
        max_size=30,
    ).map("".join)
)
def test_any_question_answers_without_error(sessions: Sessions, question: str) -> None:
    with sessions.begin() as s:
        search_posts(session=s, team_id=TEAM, query=question, now=NOW)
        experts_by_words(session=s, team_id=TEAM, query=question, now=NOW)


@given(st.text(max_size=60))
@example("\x00")
def test_any_question_is_a_valid_fts5_expression(question: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize = 'ascii')")
        words = fulltext.parse_query(question)
        for every_word in (True, False):
            if words:
                conn.execute(
                    "SELECT count(*) FROM t WHERE t MATCH ?",
                    (fulltext.fts5_query(words, every_word=every_word),),
                ).fetchall()
    finally:
        conn.close()


def test_question_words_are_folded_deduplicated_and_bounded() -> None:
    words = fulltext.parse_query("Café CAFE cafe the de " + " ".join(f"w{i}" for i in range(30)))
    assert [w.word for w in words][:2] == ["cafe", "w0"]
    assert len(words) == fulltext.MAX_QUERY_WORDS


# -- the text pipeline ---------------------------------------------------------------------------


def test_slack_markup_is_not_indexed_but_link_labels_are() -> None:
    words = fulltext.words(
        "<@U0123ABC> see <https://example.com/x|the runbook> in <#C042|ops> :rocket: &amp; go"
    )
    assert words == ["see", "runbook", "ops", "go"]


def test_diacritics_fold_to_plain_letters() -> None:
    assert (
        fulltext.fold("Café ÉÈ naïve Straße Œuvre cafe\u0301 ﬁx ĳs")
        == "cafe ee naive strasse oeuvre cafe fix ijs"
    )


def test_terms_are_dutch_stems_then_english_stems() -> None:
    assert fulltext.search_terms("De ontwikkelaars deployen") == (
        "ontwikkelar deploy ontwikkelaar deployen"
    )


def test_empty_and_stop_word_texts_index_nothing() -> None:
    assert fulltext.search_terms("") == ""
    assert fulltext.search_terms(None) == ""
    assert fulltext.search_terms("the de het and of") == ""


def _migration() -> Any:
    path = MIGRATIONS / "versions" / "0010_fulltext.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_folds_as_the_python_side_does() -> None:
    # SQLite's triggers run storage.fulltext; PostgreSQL runs the migration's frozen copy.
    migration = _migration()
    names = [
        "LABELLED_MARKUP",
        "MARKUP",
        "NON_ASCII",
        "MARKS",
        "FOLD_PAIRS",
        "UNICODE_SEPARATORS",
        "SEPARATORS",
    ]
    assert [getattr(migration, n) for n in names] == [getattr(fulltext, n) for n in names]


def test_postgresql_indexes_the_same_terms_as_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("compares PostgreSQL's own text search with the Python pipeline")
    texts = [p.text for p in corpus.POSTS] + [
        "Ça va? Œuvre, naïve Straße, ÉÉN ontwikkelaar’s “quotes” <https://x.nl|label> :tada:",
        "k8s v2 2024 e-mail on-call don't won’t",
    ]
    with engine.connect() as conn:
        for words in texts:
            lexemes = conn.scalar(
                text("SELECT array(SELECT lexeme FROM unnest(kring_search_vector(:t)))"),
                {"t": words},
            )
            assert sorted(lexemes) == sorted(set(fulltext.search_terms(words).split())), words


def test_sqlite_connections_can_write_posts_outside_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    # A fresh engine (a new process, say) still has the function the triggers call.
    engine = make_engine(url)
    try:
        with make_sessions(engine).begin() as s:
            record_post(session=s, post=NewPost(TEAM, "C1", "1764320000.000100", "U1", "hallo"))
            assert s.scalar(select(func.count()).select_from(text("posts_fts"))) == 1
    finally:
        engine.dispose()
