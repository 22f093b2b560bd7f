from hypothesis import given, settings, strategies as st
from tests.digests import test_render as tr


@settings(deadline=None, max_examples=4000)
@given(tr.mrkdwn, st.integers(1, 400))
def test_excerpt(source: str, limit: int) -> None:
    tr.test_excerpt_never_breaks_slack_entities.hypothesis.inner_test(source, limit)


@settings(deadline=None, max_examples=600)
@given(tr.digests, st.one_of(st.none(), tr.any_text))
def test_render(value, hint) -> None:
    tr.test_never_more_than_50_blocks_or_3000_chars_per_section.hypothesis.inner_test(value, hint)
