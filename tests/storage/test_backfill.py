"""Where a channel's history import stands: resumed while unfinished, afresh once finished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.backfill import begin_backfill, finish_backfill, save_page, unfinished_backfills

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_unfinished_import_resumes_at_its_cursor_with_its_own_oldest(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        first = begin_backfill(session=s, team_id="T1", channel_id="C1", oldest="100.0", now=NOW)
        assert (first.cursor, first.pages) == (None, 0)
        save_page(session=s, team_id="T1", channel_id="C1", next_cursor="page2", posts=7)
    with sessions.begin() as s:
        again = begin_backfill(
            session=s, team_id="T1", channel_id="C1", oldest="999.0", now=NOW + timedelta(days=1)
        )
        assert (again.oldest, again.cursor, again.pages, again.posts) == ("100.0", "page2", 1, 7)
        assert unfinished_backfills(session=s) == [("T1", "C1")]


def test_finished_import_starts_afresh(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        begin_backfill(session=s, team_id="T1", channel_id="C1", oldest="100.0", now=NOW)
        save_page(session=s, team_id="T1", channel_id="C1", next_cursor=None, posts=3)
        finish_backfill(session=s, team_id="T1", channel_id="C1", now=NOW)
    with sessions.begin() as s:
        assert unfinished_backfills(session=s) == []
        fresh = begin_backfill(session=s, team_id="T1", channel_id="C1", oldest="200.0", now=NOW)
        assert (fresh.oldest, fresh.cursor, fresh.pages, fresh.posts) == ("200.0", None, 0, 0)
