"""How a person's digest looks: Block Kit for the DM, plain text for a terminal.

Everything here is pure: values in, strings and dicts out. Slack's limits (50 blocks, 3000
characters per section, 150 per header, 75 per button) hold for any input, because post text,
names, tags and links come from other people and can be anything.

Every piece of it that came from someone (post text, file names, names, channels, tags) goes
through :mod:`ui.mrkdwn`: nothing in a digest can ping a channel, disguise a link or restyle
the message around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from digests.model import Digest, DigestItem
from ui.blocks import FOLLOW_ACTION
from ui.i18n import join, t, tn
from ui.mrkdwn import (
    EXCERPT_LIMIT,
    channel,
    cut_mrkdwn,
    mention,
    mrkdwn_post,
    permalink,
    plain_mrkdwn,
    tag,
)
from ui.text import SEPARATOR, clip_plain, fit

__all__ = [
    "FOLLOW_ACTION",
    "PAUSE_ACTION",
    "SETTINGS_ACTION",
    "notification_text",
    "render",
    "render_text",
]

SETTINGS_ACTION = "kring_digest_settings"
PAUSE_ACTION = "kring_digest_off"

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_FALLBACK_TEXT = 150
# Beyond these the digest gets long without telling the reader more.
MAX_FOLLOWERS_NAMED = 10
MAX_TAGS_SHOWN = 5
MAX_ID_CHARS = 64

# --- small safe pieces of mrkdwn ------------------------------------------------------------------

_ID_RE = re.compile(rf"[A-Za-z0-9]{{1,{MAX_ID_CHARS}}}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _tags(tags: tuple[str, ...], lang: str) -> str:
    shown = [tag(name) for name in tags[:MAX_TAGS_SHOWN]]
    if len(tags) > MAX_TAGS_SHOWN:
        shown.append(tn("digest.dm.others", len(tags) - MAX_TAGS_SHOWN, lang))
    return join(shown, lang)


def _fit(text: str, limit: int) -> str:
    """mrkdwn cut safely to ``limit`` characters, counted in UTF-16 units (the stricter count)."""
    return fit(text, limit, cut_mrkdwn)


# --- Block Kit ------------------------------------------------------------------------------------


def _counts(digest: Digest) -> tuple[int, int]:
    # Selection and rendering can disagree only through a bug; never show fewer than listed.
    posts = max(digest.post_count, len(digest.items), 0)
    people = max(digest.author_count, len({item.author_id for item in digest.items}), 0)
    return posts, people


def _summary(digest: Digest) -> str | None:
    posts, people = _counts(digest)
    if posts == 0:
        return None
    return t(
        "digest.dm.summary",
        digest.lang,
        posts=tn("digest.dm.posts", posts, digest.lang),
        people=tn("digest.dm.people", people, digest.lang),
    )


def notification_text(digest: Digest) -> str:
    """The one line a notification shows, e.g. "Your Kring digest: 7 posts from 4 people"."""
    summary = _summary(digest)
    if summary is None:
        line = t("digest.dm.notification_empty", digest.lang)
    else:
        key = "digest.dm.notification_weekly" if digest.weekly else "digest.dm.notification"
        line = t(key, digest.lang, summary=summary)
    return clip_plain(line, MAX_FALLBACK_TEXT)


def _followers_line(digest: Digest, mention: Callable[[str], str]) -> str | None:
    followers = digest.new_followers
    if not followers:
        return None
    names = [mention(user_id) for user_id in followers[:MAX_FOLLOWERS_NAMED]]
    if len(followers) > MAX_FOLLOWERS_NAMED:
        names.append(tn("digest.dm.others", len(followers) - MAX_FOLLOWERS_NAMED, digest.lang))
    return tn(
        "digest.dm.new_followers", len(followers), digest.lang, people=join(names, digest.lang)
    )


def _busiest_line(digest: Digest) -> str | None:
    if not digest.busiest_tags:
        return None
    tags = ", ".join(
        f"{tag(name)} ({max(count, 0)})" for name, count in digest.busiest_tags[:MAX_TAGS_SHOWN]
    )
    return t("digest.dm.busiest", digest.lang, tags=tags)


def _head(digest: Digest) -> list[Block]:
    lang = digest.lang
    header = t("digest.dm.header_weekly" if digest.weekly else "digest.dm.header", lang)
    summary = _summary(digest)
    lines = [f"*{summary}*" if summary else t("digest.dm.nothing_new", lang)]
    lines += filter(None, (_followers_line(digest, mention), _busiest_line(digest)))
    return [
        HeaderBlock(text=PlainTextObject(text=clip_plain(header, MAX_HEADER_TEXT), emoji=True)),
        SectionBlock(text=MarkdownTextObject(text=_fit("\n".join(lines), MAX_SECTION_TEXT))),
        DividerBlock(),
    ]


def _stats(item: DigestItem, lang: str) -> list[tuple[str, str]]:
    """(emoji, words) for the replies, reactions and shares an item has; a terminal shows only words."""
    stats = []
    if item.reply_count > 0:
        stats.append((":speech_balloon:", tn("digest.dm.replies", item.reply_count, lang)))
    if item.reaction_count > 0:
        stats.append((":heart:", tn("digest.dm.reactions", item.reaction_count, lang)))
    if item.reference_count > 0:
        stats.append((":repeat:", tn("digest.dm.shared_by", item.reference_count, lang)))
    return stats


def _item_block(item: DigestItem, lang: str) -> dict[str, Any]:
    author = f"*{mention(item.author_id)}*"
    lines = [
        t("digest.dm.author_in_channel", lang, author=author, channel=channel(item.channel_id))
    ]
    body = mrkdwn_post(item.text, item.files)
    if body:
        lines.append(body)
    details = [f"{emoji} {words}" for emoji, words in _stats(item, lang)]
    link = permalink(item.permalink, t("digest.dm.open", lang))
    if link:
        details.append(link)
    if item.via_tags:
        details.append(t("digest.dm.via", lang, tags=_tags(item.via_tags, lang)))
    if details:
        lines.append(SEPARATOR.join(details))
    # The dict SectionBlock(text=MarkdownTextObject(…), accessory=ButtonElement(…)).to_dict()
    # makes (a test holds them equal), written out: the models' validation took a third of
    # the time of rendering a digest, and a pass renders ten items for each of thousands.
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _fit("\n".join(lines), MAX_SECTION_TEXT)},
    }
    if item.show_follow_button and _ID_RE.fullmatch(item.author_id):
        block["accessory"] = {
            "type": "button",
            "action_id": FOLLOW_ACTION,
            "text": {
                "type": "plain_text",
                "text": clip_plain(t("digest.dm.follow", lang), MAX_BUTTON_TEXT),
            },
            "value": f"person:{item.author_id}",
        }
    return block


def _more_block(count: int, lang: str) -> Block:
    text = _fit(tn("digest.dm.more", count, lang), MAX_CONTEXT_TEXT)
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _footer(lang: str, settings_hint: str | None) -> list[Block]:
    def button_text(key: str) -> PlainTextObject:
        return PlainTextObject(text=clip_plain(t(key, lang), MAX_BUTTON_TEXT))

    confirm = ConfirmObject(
        title=PlainTextObject(text=clip_plain(t("digest.dm.pause_title", lang), MAX_CONFIRM_TITLE)),
        text=MarkdownTextObject(text=_fit(t("digest.dm.pause_text", lang), MAX_CONFIRM_TEXT)),
        confirm=PlainTextObject(
            text=clip_plain(t("digest.dm.pause_confirm", lang), MAX_CONFIRM_BUTTON)
        ),
        deny=PlainTextObject(text=clip_plain(t("digest.dm.pause_deny", lang), MAX_CONFIRM_BUTTON)),
        style="danger",
    )
    blocks: list[Block] = [
        ActionsBlock(
            elements=[
                ButtonElement(
                    action_id=SETTINGS_ACTION,
                    text=button_text("digest.dm.settings"),
                    value="settings",
                ),
                ButtonElement(
                    action_id=PAUSE_ACTION,
                    text=button_text("digest.dm.pause"),
                    value="off",
                    style="danger",
                    confirm=confirm,
                ),
            ]
        )
    ]
    hint = _fit(settings_hint, MAX_CONTEXT_TEXT) if settings_hint else ""
    if hint:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
    return blocks


def render(digest: Digest, *, settings_hint: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(notification text fallback, blocks) for ``digest`` as a Slack DM.

    ``settings_hint`` is mrkdwn shown small under the buttons (e.g. when the next digest comes).
    Items that would not fit in Slack's 50 blocks are counted in the "and N more" line.
    """
    lang = digest.lang
    head = _head(digest)
    footer = _footer(lang, settings_hint)
    # Each item is a section and a divider; one block stays free for the "and N more" line.
    room = (MAX_BLOCKS - len(head) - len(footer) - 1) // 2
    shown = digest.items[:room]
    more = max(digest.more, 0) + len(digest.items) - len(shown)
    blocks = [block.to_dict() for block in head]
    for item in shown:
        blocks += [_item_block(item, lang), {"type": "divider"}]
    if more > 0:
        blocks.append(_more_block(more, lang).to_dict())
    blocks += [block.to_dict() for block in footer]
    return notification_text(digest), blocks


# --- plain text -----------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(_CONTROL_RE.sub("", text).split())


def render_text(digest: Digest) -> str:
    """The whole digest as readable plain text, for ``kring digest preview`` and ``kring demo``."""
    lang = digest.lang
    header = t("digest.dm.header_weekly" if digest.weekly else "digest.dm.header", lang)
    lines = [header, "=" * len(header)]
    lines.append(_summary(digest) or t("digest.dm.nothing_new", lang))
    names = digest.names
    followers = _followers_line(digest, lambda user_id: "@" + names.get(user_id, user_id))
    busiest = _busiest_line(digest)
    lines += [plain_mrkdwn(line) for line in (followers, busiest) if line]
    for number, item in enumerate(digest.items, 1):
        author = _one_line(item.author_name or item.author_id)
        where = "#" + _one_line(names.get(item.channel_id, item.channel_id))
        lines += [
            "",
            f"{number}. " + t("digest.dm.author_in_channel", lang, author=author, channel=where),
        ]
        # A terminal pings nobody: mentions keep the names their authors gave them.
        body = plain_mrkdwn(cut_mrkdwn(item.text, EXCERPT_LIMIT), names) or ", ".join(
            filter(None, map(_one_line, item.files))
        )
        if body:
            lines += ["   " + line for line in body.split("\n")]
        details = [words for _, words in _stats(item, lang)]
        if item.via_tags:
            details.append(plain_mrkdwn(t("digest.dm.via", lang, tags=_tags(item.via_tags, lang))))
        if details:
            lines.append("   " + SEPARATOR.join(details))
        if item.permalink:
            lines.append("   " + _one_line(item.permalink))
    more = max(digest.more, 0)
    if more:
        lines += ["", plain_mrkdwn(tn("digest.dm.more", more, lang))]
    return "\n".join(lines) + "\n"
