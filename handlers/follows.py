"""`/kring follow`, `unfollow` and `following`."""

from __future__ import annotations

from handlers.calls import Call, Reply, show, too_many_targets
from handlers.targets import resolve_targets
from storage.channels import cached_names
from storage.follows import MAX_FOLLOWS, Target, follow, following, unfollow
from storage.text import tag_from_channel_name
from ui.i18n import join, t
from ui.mrkdwn import tag as tag_text

# Characters for each list of `/kring following` (people, tags): with both, the answer stays
# under 3,000, what one block of text may hold, whatever someone follows.
LIST_BUDGET = 1_400


def _outcome(
    call: Call,
    groups: list[tuple[str, list[Target]]],
    problems: list[str],
    *,
    merge: bool = True,
) -> Reply:
    """One line per non-empty group ("You now follow …"), then each refusal."""
    shown = _topics(call, [targets for _, targets in groups], merge=merge)
    lines = [
        call.t(key, targets=join([text for _, text in items], call.asker.lang))
        for (key, _), items in zip(groups, shown, strict=True)
        if items
    ]
    return Reply("\n".join(lines + problems))


def _topics(
    call: Call, groups: list[list[Target]], *, merge: bool = True
) -> list[list[tuple[bool, str]]]:
    """Each group's targets as shown, people first, then tags and channels by name: a channel
    and the tag of its name in one group are one topic, "#design (channel and tag)".

    Split over two groups, the topic is whole in the first (``merge``: followed anew beside
    one already followed), or only the first group's part is shown and the other, implied by
    typing the topic, is left out (unfollowed beside one that was not followed).
    Each shown item comes with whether it is a person.
    """
    ids = [x.value for group in groups for x in group if x.kind == "channel"]
    names = cached_names(session=call.session, team_id=call.asker.team_id, channel_ids=ids)
    tags_of = {cid: tag_from_channel_name(name) for cid, name in names.items()}
    tag_at = {x.value: i for i, group in enumerate(groups) for x in group if x.kind == "tag"}
    hidden: set[tuple[int, str]] = set()  # (group, tag) shown with its channel, or left out
    entries: list[list[tuple[int, str, str]]] = [[] for _ in groups]
    for i, group in enumerate(groups):
        for x in group:
            if x.kind != "channel":
                continue
            tag = tags_of.get(x.value)
            j = tag_at.get(tag) if tag is not None else None
            if tag is not None and j is not None and (merge or i == j):
                hidden.add((j, tag))
                entries[min(i, j)].append((1, tag, call.t("follow.topic", tag=tag_text(tag))))
            elif tag is not None and j is not None and j < i:
                continue  # the tag was unfollowed; this channel was not followed
            else:
                if tag is not None and j is not None:
                    hidden.add((j, tag))  # the channel was unfollowed; this tag was not followed
                label = tag_text(tag) if tag is not None else show(x)
                entries[i].append((1, tag or x.value, call.t("follow.channel", channel=label)))
    for i, group in enumerate(groups):
        for x in group:
            if x.kind == "person":
                entries[i].append((0, "", show(x)))
            elif x.kind == "tag" and (i, x.value) not in hidden:
                entries[i].append((1, x.value, show(x)))
    return [[(kind == 0, text) for kind, _, text in sorted(e)] for e in entries]


def cmd_follow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_follow"))
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=True, channels=True)
    done = follow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
        now=call.deps.clock(),
    )
    problems = resolved.problems
    if done.refused:
        shown = join([show(x) for x in done.refused], call.asker.lang)
        problems = [*problems, call.t("follow.refused", targets=shown)]
    if done.over_limit:
        [over] = _topics(call, [done.over_limit])
        shown = join([text for _, text in over], call.asker.lang)
        problems = [*problems, call.t("follow.limit", limit=MAX_FOLLOWS, targets=shown)]
    return _outcome(call, [("follow.done", done.new), ("follow.already", done.already)], problems)


def cmd_unfollow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_unfollow"))
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=False, channels=True)
    gone, absent = unfollow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
    )
    groups = [("unfollow.done", gone), ("unfollow.not_following", absent)]
    return _outcome(call, groups, resolved.problems, merge=False)


def listed(items: list[str], budget: int, lang: str) -> str:
    """``a, b, c`` with as many of ``items`` as fit in ``budget`` characters, then "…and N more"."""
    shown: list[str] = []
    used = 0
    for item in items:
        used += len(item) + 2
        if used > budget:
            break
        shown.append(item)
    text = ", ".join(shown)
    if len(shown) < len(items):
        text += " " + t("following.more", lang, count=len(items) - len(shown))
    return text


def cmd_following(call: Call) -> Reply:
    targets = following(
        session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id
    )
    if not targets:
        return Reply(call.t("following.none"))
    [shown] = _topics(call, [targets])
    people = [text for is_person, text in shown if is_person]
    # Channels are among the tags, as "#design (channel and tag)".
    tags = [text for is_person, text in shown if not is_person]
    lang = call.asker.lang
    lines = [
        call.t("following.people", count=len(people), people=listed(people, LIST_BUDGET, lang))
        if people
        else call.t("following.no_people"),
        call.t("following.tags", count=len(tags), tags=listed(tags, LIST_BUDGET, lang))
        if tags
        else call.t("following.no_tags"),
    ]
    return Reply("\n".join(lines))
