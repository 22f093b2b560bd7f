"""`/kring follow`, `unfollow` and `following`."""

from __future__ import annotations

from handlers.calls import Call, Reply, show, too_many_targets
from handlers.targets import resolve_targets
from storage.follows import MAX_FOLLOWS, Target, follow, following, unfollow
from ui.i18n import join, t

# Characters for each list of `/kring following` (people, tags): with both, the answer stays
# under 3,000, what one block of text may hold, whatever someone follows.
LIST_BUDGET = 1_400


def _outcome(call: Call, groups: list[tuple[str, list[Target]]], problems: list[str]) -> Reply:
    """One line per non-empty group ("You now follow …"), then each refusal."""
    lines = [
        call.t(key, targets=join([show(x) for x in targets], call.asker.lang))
        for key, targets in groups
        if targets
    ]
    return Reply("\n".join(lines + problems))


def cmd_follow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_follow"))
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=True)
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
        shown = join([show(x) for x in done.over_limit], call.asker.lang)
        problems = [*problems, call.t("follow.limit", limit=MAX_FOLLOWS, targets=shown)]
    return _outcome(call, [("follow.done", done.new), ("follow.already", done.already)], problems)


def cmd_unfollow(call: Call) -> Reply:
    if not call.args:
        return Reply(call.t("error.nothing_to_unfollow"))
    if (refusal := too_many_targets(call)) is not None:
        return refusal
    resolved = resolve_targets(call, call.args, checking_people=False)
    gone, absent = unfollow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
    )
    groups = [("unfollow.done", gone), ("unfollow.not_following", absent)]
    return _outcome(call, groups, resolved.problems)


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
    people = [show(x) for x in targets if x.kind == "person"]
    tags = [show(x) for x in targets if x.kind == "tag"]
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
