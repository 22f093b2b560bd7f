"""`/kring follow`, `unfollow` and `following`."""

from __future__ import annotations

from handlers.calls import Call, Reply, show, too_many_targets
from handlers.targets import resolve_targets
from storage.follows import Target, follow, following, unfollow
from ui.i18n import join


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
    new, already = follow(
        session=call.session,
        team_id=call.asker.team_id,
        follower_id=call.asker.user_id,
        targets=resolved.targets,
        now=call.deps.clock(),
    )
    return _outcome(call, [("follow.done", new), ("follow.already", already)], resolved.problems)


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


def cmd_following(call: Call) -> Reply:
    targets = following(
        session=call.session, team_id=call.asker.team_id, follower_id=call.asker.user_id
    )
    if not targets:
        return Reply(call.t("following.none"))
    people = [show(x) for x in targets if x.kind == "person"]
    tags = [show(x) for x in targets if x.kind == "tag"]
    lines = [
        call.t("following.people", count=len(people), people=", ".join(people))
        if people
        else call.t("following.no_people"),
        call.t("following.tags", count=len(tags), tags=", ".join(tags))
        if tags
        else call.t("following.no_tags"),
    ]
    return Reply("\n".join(lines))
