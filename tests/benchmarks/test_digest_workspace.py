"""The benchmarks' generated workspace still fits the schema: a small one is built on each
database, so a new column breaks this test and not only a long `make bench` run."""

from __future__ import annotations

from sqlalchemy import func, select

from benchmarks.digest import Shape, _build
from storage.db import make_engine, make_sessions
from storage.models import Post, PostTag


def test_generated_workspace_loads_into_the_current_schema(db_url: str) -> None:
    shape = Shape(people=100, posts=2_000, channels=10, tags=20)

    counts, _ = _build(db_url, shape)

    assert counts["posts"] == shape.posts
    engine = make_engine(db_url)
    try:
        with make_sessions(engine).begin() as session:
            assert session.scalar(select(func.count()).select_from(Post)) == shape.posts
            assert session.scalar(select(func.count()).select_from(PostTag)) == counts["post_tags"]
            assert session.scalar(select(func.sum(Post.reference_count))) == 0
    finally:
        engine.dispose()
