"""`/kring search <words>`: the posts from public channels that best answer the words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from handlers.calls import Call, Reply, is_word
from handlers.discovery.common import (
    answer,
    follow_button,
    follows,
    open_link,
    permalinks,
)
from handlers.discovery.who import words_arg
from storage.follows import Target
from storage.search import search_posts
from ui.blocks import PAGE_ACTION, Button, Item
from ui.mrkdwn import channel, mention, mrkdwn_name, mrkdwn_text
from ui.text import SEPARATOR

PAGE_SIZE = 5
MAX_PAGE = 20  # search_posts pages with OFFSET: deeper pages are not worth their cost
HIT_EXCERPT = 300


def asked_page(args: Sequence[str]) -> tuple[list[str], int | None]:
    """The words and the page of `search <words> [page N]`; page None when it is not a number
    from 1 to :data:`MAX_PAGE`."""
    words = list(args)
    if len(words) >= 3 and is_word(words[-2], "input.search.page"):
        number = words[-1]
        page = int(number) if number.isdigit() and len(number) <= 3 else 0
        return words[:-2], page if 1 <= page <= MAX_PAGE else None
    return words, 1


def cmd_search(call: Call) -> Reply:
    words, page = asked_page(call.args)
    query = words_arg(words)
    if not query:
        return Reply(call.t("usage.search"))
    if page is None:
        return Reply(call.t("search.bad_page", pages=MAX_PAGE))
    return search(call, query, page)


def page_arg(page: int, query: str) -> str:
    """How page ``page`` of the answer for ``query`` is named in block ids and in the value of
    its More button: ``<page>~<words>``, the words as :func:`words_arg` keeps them (80
    characters at most, no ``:``), so both stay far within Slack's limits."""
    return f"{page}~{query}"


def redraw(call: Call, arg: str) -> Reply:
    """The page ``<page>~<words>`` (see :func:`page_arg`) drawn again after a click, or drawn
    for the first time when More was clicked."""
    number, _, rest = arg.partition("~")
    query = words_arg([rest])
    if not number.isdigit() or not query or not 1 <= int(number) <= MAX_PAGE:
        return Reply(call.t("usage.search"))
    return search(call, query, int(number))


def search(call: Call, query: str, page: int) -> Reply:
    hits = search_posts(
        session=call.session,
        team_id=call.asker.team_id,
        query=query,
        now=call.deps.clock(),
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
        kept_since=call.deps.kept_since(call.deps.clock()),
    )
    shown = mrkdwn_name(query)
    if not hits:
        key = "search.nothing" if page == 1 else "search.no_more"
        return Reply(call.t(key, words=shown))
    more = len(hits) > PAGE_SIZE and page < MAX_PAGE
    hits = hits[:PAGE_SIZE]
    links = permalinks(call, [(hit.channel_id, hit.ts) for hit in hits])
    followed = follows(call)
    items: list[Item] = []
    first = (page - 1) * PAGE_SIZE
    for n, hit in enumerate(hits, start=first + 1):
        body = " ".join(mrkdwn_text(hit.text, HIT_EXCERPT).split())
        # The message's own ts is its time in epoch seconds, whatever the database keeps.
        stamp = int(float(hit.ts))
        day = datetime.fromtimestamp(stamp, UTC).date().isoformat()
        date = f"<!date^{stamp}^{{date_short}}|{day}>"
        where = [mention(hit.user_id), channel(hit.channel_id), date]
        if link := open_link(call, links, hit.channel_id, hit.ts):
            where.append(link)
        button = follow_button(
            call, Target("person", hit.user_id), followed, "discovery.button.follow"
        )
        items.append(Item(f"{n}. {body}\n{SEPARATOR.join(where)}", button))
    if more:
        # The button says which page to draw; the typed command stays for the fallback text.
        items.append(
            Item(
                call.t("search.more", command=f"/kring search {query} page {page + 1}"),
                Button(PAGE_ACTION, call.t("search.button.more"), page_arg(page + 1, query)),
            )
        )
    return answer(
        "search",
        page_arg(page, query),
        head=call.t("search.header", words=shown),
        items=items,
    )
