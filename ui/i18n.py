"""The one message catalog: every sentence a person reads comes from here."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "nl")

EN: dict[str, str] = {
    # --- help -------------------------------------------------------------------------------
    "help.intro": (
        "*Kring* turns this Slack into your organisation's social network: follow the colleagues "
        "and #tags you find interesting, and Kring sends you a short daily digest of what they "
        "shared in public channels."
    ),
    "help.commands": "*Commands*",
    "help.follow": "`/kring follow @person #tag` — follow colleagues and tags (several at once)",
    "help.unfollow": "`/kring unfollow @person #tag` — stop following them",
    "help.following": "`/kring following` — the people and tags you follow",
    "help.digest": (
        "`/kring digest` — your digest settings; `/kring digest at 08:30`, "
        "`/kring digest daily|weekdays|weekly monday|off`, `/kring digest now`"
    ),
    "help.help": "`/kring help` — this overview; `/kring <command> help` explains one command",
    "help.mention": (
        "You can also mention me in a channel, e.g. `@Kring follow #release`; I answer in a thread."
    ),
    # --- per-command usage ---------------------------------------------------------------------
    "usage.follow": (
        "Follow people and tags: `/kring follow @ann #release #design`. "
        "Their posts in public channels come to you in your daily digest."
    ),
    "usage.unfollow": "Stop following people and tags: `/kring unfollow @ann #release`.",
    "usage.following": "`/kring following` lists the people and tags you follow.",
    "usage.help": "`/kring help` lists everything Kring can do.",
    # --- errors and refusals ------------------------------------------------------------------
    "error.unknown_command": ("I don't know the command `{command}`. Here is what I can do:"),
    "error.nothing_to_follow": (
        "Tell me whom or what to follow, e.g. `/kring follow @ann #release`."
    ),
    "error.nothing_to_unfollow": (
        "Tell me whom or what to stop following, e.g. `/kring unfollow @ann #release`."
    ),
    "error.too_long": (
        "That is more text than I can read at once ({length} characters; the limit is {limit})."
        " Try a shorter command."
    ),
    "error.too_many_targets": (
        "That is a lot at once: I take at most {limit} people and tags per command."
    ),
    "error.internal": (
        "Sorry, something went wrong on my side and nothing was changed. Please try again in a "
        "moment."
    ),
    "target.not_understood": (
        "I didn't understand `{token}`: use @person (pick them from the list Slack offers) or #tag."
    ),
    "target.unknown_name": (
        "I couldn't find a person called `{token}`: pick them from the list Slack offers while "
        "you type @."
    ),
    "target.tag_too_long": "#{tag_start}… is too long for a tag: tags have at most {limit} characters.",
    "target.bad_tag": (
        "`{token}` is not a tag I can follow: tags are letters, digits, `_` and `-`."
    ),
    "target.self": "You can't follow yourself — but your followers will see what you share.",
    "target.unknown_user": "I couldn't find {user} in this workspace.",
    "target.deactivated": "{user} has left the workspace (their account is deactivated).",
    "target.bot": "{user} is a bot; Kring follows people.",
    "target.channel_unknown": "I couldn't look up that channel, so I can't follow it as a tag.",
    # --- follow results -----------------------------------------------------------------------
    "follow.done": "You now follow {targets}. Their posts will come in your daily digest.",
    "follow.already": "You already follow {targets}.",
    "unfollow.done": "You no longer follow {targets}.",
    "unfollow.not_following": "You weren't following {targets}.",
    "following.none": (
        "You don't follow anyone or any tag yet. Try `/kring follow @colleague #topic`."
    ),
    "following.people": "*People you follow ({count}):* {people}",
    "following.tags": "*Tags you follow ({count}):* {tags}",
    "following.no_people": "*People you follow:* none yet",
    "following.no_tags": "*Tags you follow:* none yet",
    # --- /kring digest -----------------------------------------------------------------------
    "usage.digest": (
        "Your daily digest: `/kring digest` shows your settings; `/kring digest at 08:30` sets the "
        "time (your Slack time zone); `/kring digest daily`, `weekdays`, `weekly friday` or `off`; "
        "`/kring digest now` sends it right away."
    ),
    "digest.show": "Your digest comes {schedule} ({zone}).",
    "digest.show_off": "Your digest is paused. Turn it back on with `/kring digest daily`.",
    "digest.next": "Next one: {when}.",
    "digest.nothing_followed": (
        "You don't follow anyone or any tag yet, so there is nothing to send. "
        "Try `/kring follow @colleague #topic`."
    ),
    "digest.schedule.daily": "every day at {time}",
    "digest.schedule.weekdays": "every weekday (Monday to Friday) at {time}",
    "digest.schedule.weekly": "every {day} at {time}",
    "digest.changed": "Done: your digest now comes {schedule} ({zone}).",
    "digest.paused": "Done: your digest is paused. `/kring digest daily` turns it back on.",
    "digest.error.bad_time": (
        "`{bad}` is not a time I understand. Use 24-hour time, e.g. `/kring digest at 08:30`."
    ),
    "digest.error.bad_day": (
        "`{bad}` is not a day of the week. Try `/kring digest weekly friday`."
    ),
    "digest.error.unknown": (
        "I don't understand `{bad}`. Try `/kring digest at 08:30`, `/kring digest weekdays`, "
        "`/kring digest weekly monday`, `/kring digest off` or `/kring digest now`."
    ),
    "digest.now.started": "Putting your digest together — it arrives in your DMs from Kring in a moment.",
    "digest.now.sent": "Your digest is in your DMs from Kring: {count} posts.",
    "digest.now.empty": "Nothing new since your last digest — nothing was sent.",
    "digest.now.busy": "Your digest is being sent right now; it arrives in a moment.",
    "digest.now.failed": "I couldn't send your digest just now ({error}). Please try again later.",
    "weekday.0": "Monday",
    "weekday.1": "Tuesday",
    "weekday.2": "Wednesday",
    "weekday.3": "Thursday",
    "weekday.4": "Friday",
    "weekday.5": "Saturday",
    "weekday.6": "Sunday",
    "when.today": "today at {time}",
    "when.tomorrow": "tomorrow at {time}",
    "when.day": "{day} at {time}",
    "action.followed": "You now follow {target}. Their posts will come in your digest.",
    "action.already": "You already follow {target}.",
    "action.digest_off": "Your digest is paused. `/kring digest daily` turns it back on.",
    # --- the digest DM (digests/render.py) ------------------------------------------------------
    "digest.dm.header": "Your Kring digest",
    "digest.dm.header_weekly": "Your weekly Kring digest",
    "digest.dm.notification": "Your Kring digest: {summary}",
    "digest.dm.notification_weekly": "Your weekly Kring digest: {summary}",
    "digest.dm.notification_empty": "Your Kring digest: nothing new this time",
    "digest.dm.summary": "{posts} from {people}",
    "digest.dm.posts.one": "{count} post",
    "digest.dm.posts.other": "{count} posts",
    "digest.dm.people.one": "{count} person",
    "digest.dm.people.other": "{count} people",
    "digest.dm.nothing_new": "Nothing new from the people and tags you follow.",
    "digest.dm.new_followers.one": "{people} started following you",
    "digest.dm.new_followers.other": "{people} started following you",
    "digest.dm.others.one": "{count} other",
    "digest.dm.others.other": "{count} others",
    "digest.dm.busiest": "Busiest: {tags}",
    "digest.dm.author_in_channel": "{author} in {channel}",
    "digest.dm.replies.one": "{count} reply",
    "digest.dm.replies.other": "{count} replies",
    "digest.dm.reactions.one": "{count} reaction",
    "digest.dm.reactions.other": "{count} reactions",
    "digest.dm.open": "Open",
    "digest.dm.via": "via {tags}",
    "digest.dm.more.one": (
        "…and {count} more post. `/kring following` lists whom and what you follow; open their "
        "channels to read everything."
    ),
    "digest.dm.more.other": (
        "…and {count} more posts. `/kring following` lists whom and what you follow; open their "
        "channels to read everything."
    ),
    "digest.dm.follow": "Follow",
    "digest.dm.settings": "Digest settings",
    "digest.dm.pause": "Pause digests",
    "digest.dm.pause_title": "Pause your digests?",
    "digest.dm.pause_text": (
        "You won't get digests until you turn them back on with `/kring digest daily`."
    ),
    "digest.dm.pause_confirm": "Pause",
    "digest.dm.pause_deny": "Keep them",
    # --- discovery: who, trending, profile, suggest, followers (EN) ---
    "help.who": "`/kring who #tag` — the people who know most about a tag",
    "help.trending": "`/kring trending` — the tags growing fastest this week (`/kring trending 30d`: month)",
    "help.profile": "`/kring profile @person` — someone's title, top tags, followers and recent posts",
    "help.suggest": "`/kring suggest` — people worth following, and why",
    "help.followers": "`/kring followers` — who follows you",
    "usage.who": (
        "`/kring who #design` lists the people who know most about a tag: ranked by their posts "
        "with it, the reactions and replies those drew, and how recent they are. You can also ask "
        "`@Kring who knows #design?` in a channel."
    ),
    "usage.trending": (
        "`/kring trending` shows the tags growing fastest in the last 7 days against the 7 days "
        "before; `/kring trending 30d` compares the last 30 days with the 30 before."
    ),
    "usage.profile": (
        "`/kring profile @ann` shows someone's title, the tags they post about most, their "
        "followers, a few recent posts and whom you both follow."
    ),
    "usage.suggest": "`/kring suggest` lists people worth following, with the reason for each.",
    "usage.followers": "`/kring followers` lists who follows you, with a button to follow them back.",
    "discovery.posts.one": "{count} post",
    "discovery.posts.other": "{count} posts",
    "discovery.reactions.one": "{count} reaction",
    "discovery.reactions.other": "{count} reactions",
    "discovery.replies.one": "{count} reply",
    "discovery.replies.other": "{count} replies",
    "discovery.more": "…and {count} more.",
    "discovery.button.follow": "Follow",
    "discovery.button.follow_tag": "Follow the tag",
    "discovery.button.follow_back": "Follow back",
    "discovery.button.unfollow": "Unfollow",
    "discovery.button.mute": "Mute",
    "who.header": "*Who knows {tag}* — by their posts with it, the reactions and replies those drew, and how recent they are:",
    "who.stats": "{posts}, {reactions}, {replies}",
    "who.nobody": "No one has posted about {tag} yet — be the first!",
    "who.bad_tag": (
        "`{token}` is not a tag I can look up: tags are letters, digits, `_` and `-`. "
        "Try `/kring who #design`."
    ),
    "who.channel_unknown": "I couldn't look up that channel. Try `/kring who #design`.",
    "trending.header": "*Trending in the last {days} days* — growing fastest against the {days} days before:",
    "trending.line": "{tag} — {posts} (was {before})",
    "trending.none": (
        "Nothing is trending in the last {days} days: no tag grew against the {days} days before."
    ),
    "trending.bad_window": (
        "`{bad}` is not a period I know. Try `/kring trending 7d` (the default) or "
        "`/kring trending 30d`."
    ),
    "profile.tags": "Posts most about: {tags}",
    "profile.no_tags": "No tagged posts yet.",
    "profile.counts": "Followers: {followers} · Following: {following}",
    "profile.mutual": "You both follow {people}",
    "profile.you": "This is you: others see the same, with a Follow button.",
    "profile.recent": "*Recent posts*",
    "profile.no_posts": "No posts in public channels yet.",
    "profile.open": "Open",
    "suggest.header": "*People you might want to follow:*",
    "suggest.reason.tag": "posts about {tag}",
    "suggest.reason.followed_by.one": "followed by {count} person you follow",
    "suggest.reason.followed_by.other": "followed by {count} people you follow",
    "suggest.reason.department": "in another department",
    "suggest.none": (
        "No suggestions yet. Follow a few tags or colleagues first (`/kring follow #topic "
        "@colleague`); then I can point you to people who post about them."
    ),
    "followers.header.one": "*{count} person follows you:*",
    "followers.header.other": "*{count} people follow you:*",
    "followers.none": (
        "Nobody follows you yet. Share what you work on in public channels with a #tag: people "
        "who follow that tag will find you."
    ),
    # --- home tab and welcome (EN) ---
    "home.header": "Your Kring",
    "home.intro": (
        "What the colleagues and #tags you follow shared lately, whom you follow and when your "
        "digest comes."
    ),
    "home.feed.title": "*Latest from the people and tags you follow*",
    "home.feed.item": "*{author}* in {channel} · {when}\n{text}",
    "home.feed.empty": "Nothing from the people and tags you follow in the past week.",
    "home.feed.start": (
        "Nothing here yet, because you don't follow anyone or any tag. Follow colleagues and "
        "#tags with the buttons below, or type `/kring follow @colleague #topic` anywhere in "
        "Slack: what they share in public channels shows up here and in your daily digest."
    ),
    "home.follows.title": "*You follow ({count})*",
    "home.follows.none": "You don't follow anyone or any tag yet.",
    "home.follows.more": "…and {count} more — `/kring following` lists them all.",
    "home.unfollow": "Unfollow",
    "home.follow": "Follow",
    "home.digest.title": "*Your digest*",
    "home.digest.on": "It comes {schedule} ({zone}).",
    "home.digest.off": "Your digest is paused. Pick how often it should come to turn it back on.",
    "home.digest.hint": "Pick a time and how often; times are in your Slack time zone.",
    "home.digest.time": "Digest time",
    "home.digest.frequency": "How often",
    "home.frequency.daily": "Every day",
    "home.frequency.weekdays": "Weekdays (Monday to Friday)",
    "home.frequency.weekly": "Every {day}",
    "home.frequency.off": "Paused",
    "home.suggest.title": "*People you might follow*",
    "home.suggest.none": (
        "No suggestions right now — follow a few people or #tags and Kring finds more like them."
    ),
    "home.reason.tag": "posts about #{tag}",
    "home.reason.followed_by.one": "followed by {count} person you follow",
    "home.reason.followed_by.other": "followed by {count} people you follow",
    "home.reason.other_department": "from another team",
    "home.tags.title": "*Busy tags*",
    "home.footer": "`/kring help` lists everything Kring can do. Changes here apply at once.",
    "welcome.notification": "Welcome! Kring helps you get to know your colleagues.",
    "welcome.header": "Welcome! Meet Kring",
    "welcome.intro": (
        "Kring is this workspace's social network.\n"
        "Follow colleagues and #tags, and Kring collects what they share in public channels.\n"
        "Once a day you get a short digest here, so you keep in touch even when you work apart."
    ),
    "welcome.howto": (
        "*How to use it*\n"
        "• `/kring follow @colleague #topic` — follow people and tags, or use the buttons below\n"
        "• `/kring digest at 08:30` — choose when your digest comes; `/kring digest` shows your "
        "settings\n"
        "• Kring's *Home* tab — your feed, whom you follow and your digest settings"
    ),
    "welcome.people.title": "*Colleagues to follow*",
    "welcome.tags.title": "*Busy tags to follow*",
    "welcome.nobody": (
        "Kring doesn't know many colleagues yet: type `/kring follow @` and pick someone from the "
        "list Slack offers."
    ),
    "welcome.reason.department": "in your team",
    "welcome.reason.followers.one": "followed by {count} colleague",
    "welcome.reason.followers.other": "followed by {count} colleagues",
    "welcome.reason.helpful.one": "{count} reaction or reply to their posts lately",
    "welcome.reason.helpful.other": "{count} reactions and replies to their posts lately",
    "welcome.tag_posts.one": "{count} post in the last {days} days",
    "welcome.tag_posts.other": "{count} posts in the last {days} days",
    "welcome.footer": "`/kring help` lists everything Kring can do.",
    # --- mute, language (EN) ---
    # privacy
    "usage.opt_out": (
        "`/kring opt-out` stops Kring recording your posts, reactions and mentions from now on and "
        "leaves you out of experts, trending and suggestions. What Kring already holds stays "
        "(`/kring forget-me` deletes it); `/kring opt-in` resumes."
    ),
    "usage.opt_in": "`/kring opt-in` lets Kring record your posts, reactions and mentions in public channels again.",
    "usage.export": "`/kring export` sends you, in a DM, a JSON file with everything Kring holds about you.",
    "usage.forget_me": (
        "`/kring forget-me` deletes everything Kring holds about you (after you confirm) and stops "
        "recording you until you `/kring opt-in`."
    ),
    "help.privacy": "`/kring opt-out`, `opt-in`, `export`, `forget-me` — your data: stop or resume recording, get a copy, delete it",
    "privacy.opted_out": (
        "Done: Kring no longer records your posts, reactions and mentions, and leaves you out of "
        "experts, trending and suggestions. What it already holds stays; `/kring forget-me` "
        "deletes it and `/kring opt-in` undoes this."
    ),
    "privacy.already_opted_out": "You had already opted out: Kring isn't recording you. `/kring opt-in` resumes.",
    "privacy.opted_in": "Welcome back: from now on Kring records your posts, reactions and mentions in public channels again.",
    "privacy.not_opted_out": "Kring is already recording your posts; `/kring opt-out` stops it.",
    "privacy.export.started": "Sending your export to your DMs; it arrives in a moment.",
    "privacy.export.sent": "Your export is in your DMs: a JSON file with everything Kring holds about you.",
    "privacy.export.failed": "Sorry, I couldn't send your export ({error}). Please try again in a moment.",
    "privacy.export.title": "Everything Kring holds about you",
    "privacy.export.comment": (
        "Here is everything Kring holds about you, as JSON: your profile, posts, reactions, "
        "follows both ways, mutes, settings and digest history."
    ),
    "privacy.forget.explain": (
        "*Forget me* deletes everything Kring holds about you: your posts with their tags, mentions "
        "and reactions, the reactions you gave, mentions of you, whom you follow and who follows "
        "you, your mutes, settings and digest history. Your posts disappear from everyone's "
        "digests at once. Kring then keeps only a marker, so that it doesn't record you again "
        "until you `/kring opt-in`. This can't be undone: `/kring export` first for a copy."
    ),
    "privacy.forget.button": "Forget me",
    "privacy.forget.confirm_title": "Delete everything?",
    "privacy.forget.confirm_text": (
        "Kring deletes your posts, reactions, follows, followers, mutes, settings and digest "
        "history. This can't be undone."
    ),
    "privacy.forget.confirm_yes": "Delete everything",
    "privacy.forget.confirm_no": "Keep my data",
    "privacy.forget.done": (
        "Done: Kring forgot you. Deleted posts: {posts}, reactions: {reactions}, mentions: "
        "{mentions}, follows: {follows}, followers: {followers}, mutes: {mutes}, digest records: "
        "{deliveries}. Kring won't record you again until you `/kring opt-in`."
    ),
    "usage.mute": (
        "Mute people or tags you don't want to see: `/kring mute @person #tag`. They never appear "
        "in your digests or suggestions, even through another tag you follow."
    ),
    "usage.unmute": "Unmute: `/kring unmute @person #tag`.",
    "usage.language": "Choose Kring's language: `/kring language en`, `nl`, or `auto` (your Slack language).",
    "help.mute": "`/kring mute @person #tag` — never see them in digests or suggestions; `/kring unmute` undoes it",
    "help.language": "`/kring language en|nl|auto` — the language Kring speaks to you",
    # admin
    "help.admin": "`/kring admin channels|stats` — for workspace admins: the channels Kring records and how it is used",
    "usage.admin": (
        "For workspace admins and owners: `/kring admin channels` lists the public channels Kring "
        "records; `/kring admin stats` shows the last 4 weeks of activity and sends you a chart."
    ),
    "admin.refused": (
        "Only workspace admins and owners can use `/kring admin`. `/kring help` lists what you "
        "can do."
    ),
    "admin.channels.head": (
        "*Channels Kring records: {count}*\nKring only reads public channels it was invited to, "
        "and doesn't moderate what is said there. To stop recording a channel, remove Kring from it."
    ),
    "admin.channels.none": (
        "Kring isn't in any public channel, so it records nothing. Invite it with "
        "`/invite @kring` in a public channel."
    ),
    "admin.channels.line": "• <#{channel}> — posts stored: {posts}, the latest on {last}",
    "admin.channels.line_empty": "• <#{channel}> — no posts stored yet",
    "admin.channels.more": "…and {count} more.",
    "admin.channels.failed": "I couldn't list my channels: Slack said `{error}`.",
    "admin.stats.head": "*Kring over the last {weeks} weeks* (UTC days, oldest week first)",
    "admin.stats.week": (
        "• *{start} to {end}*: posts {posts} · active posters {posters} · new follows {follows} "
        "· across departments {share} · digests delivered {digests}"
    ),
    "admin.stats.share": "{percent}% ({crossing} of {known})",
    "admin.stats.share_none": "–",
    "admin.stats.footer": (
        "_Across departments_: the share of new follows between colleagues in different "
        "departments (taken from their Slack titles; a follow where a title is missing doesn't "
        "count). A chart is on its way to your DMs."
    ),
    "admin.chart.title": "Kring: the last {weeks} weeks",
    "admin.chart.posts": "Posts",
    "admin.chart.posters": "Active posters",
    "admin.chart.follows": "New follows",
    "admin.chart.week": "{start} to {end}",
    "admin.chart.share": "across departments: {share}",
    "admin.chart.comment": "Kring's activity over the last {weeks} weeks.",
    "admin.chart.failed": "I couldn't upload the stats chart: Slack said `{error}`.",
    "error.nothing_to_mute": "Tell me whom or what to mute, e.g. `/kring mute @ann #lunch`.",
    "error.nothing_to_unmute": "Tell me whom or what to unmute, e.g. `/kring unmute #lunch`.",
    "mute.done": "Muted {targets}: they won't appear in your digests or suggestions.",
    "mute.already": "You had already muted {targets}.",
    "mute.self": "You can't mute yourself.",
    "unmute.done": "Unmuted {targets}.",
    "unmute.not_muted": "You hadn't muted {targets}.",
    "mute.list": "*Muted:* {targets}",
    "language.set": "Done: Kring now speaks English to you.",
    "language.auto": "Done: Kring follows your Slack language ({language}).",
    "language.current": "Kring speaks {language} to you ({how}). Change it with `/kring language en`, `nl` or `auto`.",
    "language.how.chosen": "your choice",
    "language.how.auto": "from your Slack language",
    "language.unknown": "I speak English (`en`) and Dutch (`nl`); `auto` follows your Slack language. `{bad}` isn't one of them.",
    "language.name.en": "English",
    "language.name.nl": "Dutch",
    "action.unfollowed": "You no longer follow {target}.",
    "action.unmuted": "Unmuted {target}.",
    "button.follow": "Follow",
    "button.unfollow": "Unfollow",
    "button.mute": "Mute",
    "button.unmute": "Unmute",
    "action.muted": "Muted {target}: they won't appear in your digests or suggestions.",
    "list.and": " and ",
    # --- issue 10, server & limits: admin rights fail closed; the cap on follows ---------------
    "admin.unconfirmed": (
        "Slack isn't answering right now, so I can't confirm that you're a workspace admin or "
        "owner, and `/kring admin` stays closed until it does. Please try again in a few minutes."
    ),
    "follow.limit": (
        "You can follow at most {limit} people and tags, and you've reached that, so I didn't "
        "follow {targets}. `/kring unfollow` makes room."
    ),
    "following.more": "…and {count} more",
    # --- end of issue 10, server & limits ----------------------------------------------------
}

NL: dict[str, str] = {
    "help.intro": (
        "*Kring* maakt van deze Slack het sociale netwerk van je organisatie: volg de collega's "
        "en #tags die je interessant vindt, en Kring stuurt je dagelijks een kort overzicht van "
        "wat zij in openbare kanalen deelden."
    ),
    "help.commands": "*Opdrachten*",
    "help.follow": "`/kring follow @persoon #tag` — volg collega's en tags (meerdere tegelijk)",
    "help.unfollow": "`/kring unfollow @persoon #tag` — stop met volgen",
    "help.following": "`/kring following` — wie en wat je volgt",
    "help.digest": (
        "`/kring digest` — je overzicht-instellingen; `/kring digest at 08:30`, "
        "`/kring digest daily|weekdays|weekly monday|off`, `/kring digest now`"
    ),
    "help.help": "`/kring help` — dit overzicht; `/kring <opdracht> help` legt één opdracht uit",
    "help.mention": (
        "Je kunt me ook in een kanaal noemen, bijv. `@Kring follow #release`; ik antwoord in een "
        "draad."
    ),
    "usage.follow": (
        "Volg mensen en tags: `/kring follow @ann #release #design`. "
        "Hun berichten in openbare kanalen krijg je in je dagelijkse overzicht."
    ),
    "usage.unfollow": "Stop met volgen: `/kring unfollow @ann #release`.",
    "usage.following": "`/kring following` toont wie en wat je volgt.",
    "usage.help": "`/kring help` toont alles wat Kring kan.",
    "error.unknown_command": "De opdracht `{command}` ken ik niet. Dit kan ik wel:",
    "error.nothing_to_follow": "Zeg wie of wat je wilt volgen, bijv. `/kring follow @ann #release`.",
    "error.nothing_to_unfollow": (
        "Zeg wie of wat je niet meer wilt volgen, bijv. `/kring unfollow @ann #release`."
    ),
    "error.too_long": (
        "Dat is meer tekst dan ik in één keer lees ({length} tekens; de grens is {limit})."
        " Probeer een kortere opdracht."
    ),
    "error.too_many_targets": "Dat is veel tegelijk: ik neem hooguit {limit} mensen en tags per keer.",
    "error.internal": (
        "Sorry, er ging bij mij iets mis en er is niets veranderd. Probeer het zo nog eens."
    ),
    "target.not_understood": (
        "`{token}` begrijp ik niet: gebruik @persoon (kies uit de lijst die Slack toont) of #tag."
    ),
    "target.unknown_name": (
        "Ik vond niemand die `{token}` heet: kies de persoon uit de lijst die Slack toont als je @ "
        "typt."
    ),
    "target.tag_too_long": "#{tag_start}… is te lang voor een tag: hooguit {limit} tekens.",
    "target.bad_tag": "`{token}` is geen tag die ik kan volgen: tags zijn letters, cijfers, `_` en `-`.",
    "target.self": "Jezelf volgen kan niet — maar je volgers zien wat jij deelt.",
    "target.unknown_user": "Ik vond {user} niet in deze werkruimte.",
    "target.deactivated": "{user} is uit de werkruimte vertrokken (account gedeactiveerd).",
    "target.bot": "{user} is een bot; Kring volgt mensen.",
    "target.channel_unknown": "Ik kon dat kanaal niet opzoeken, dus kan ik het niet als tag volgen.",
    "follow.done": "Je volgt nu {targets}. Hun berichten komen in je dagelijkse overzicht.",
    "follow.already": "Je volgt {targets} al.",
    "unfollow.done": "Je volgt {targets} niet meer.",
    "unfollow.not_following": "Je volgde {targets} niet.",
    "following.none": "Je volgt nog niemand en geen tags. Probeer `/kring follow @collega #onderwerp`.",
    "following.people": "*Mensen die je volgt ({count}):* {people}",
    "following.tags": "*Tags die je volgt ({count}):* {tags}",
    "following.no_people": "*Mensen die je volgt:* nog niemand",
    "following.no_tags": "*Tags die je volgt:* nog geen",
    "usage.digest": (
        "Je dagelijkse overzicht: `/kring digest` toont je instellingen; `/kring digest at 08:30` "
        "zet de tijd (je Slack-tijdzone); `/kring digest daily`, `weekdays`, `weekly friday` of "
        "`off`; `/kring digest now` stuurt het meteen."
    ),
    "digest.show": "Je overzicht komt {schedule} ({zone}).",
    "digest.show_off": "Je overzicht staat op pauze. Zet het weer aan met `/kring digest daily`.",
    "digest.next": "Volgende: {when}.",
    "digest.nothing_followed": (
        "Je volgt nog niemand en geen tags, dus er is niets te sturen. "
        "Probeer `/kring follow @collega #onderwerp`."
    ),
    "digest.schedule.daily": "elke dag om {time}",
    "digest.schedule.weekdays": "elke werkdag (maandag tot en met vrijdag) om {time}",
    "digest.schedule.weekly": "elke {day} om {time}",
    "digest.changed": "Klaar: je overzicht komt nu {schedule} ({zone}).",
    "digest.paused": "Klaar: je overzicht staat op pauze. `/kring digest daily` zet het weer aan.",
    "digest.error.bad_time": (
        "`{bad}` is geen tijd die ik begrijp. Gebruik 24-uurstijd, bijv. `/kring digest at 08:30`."
    ),
    "digest.error.bad_day": "`{bad}` is geen dag van de week. Probeer `/kring digest weekly friday`.",
    "digest.error.unknown": (
        "`{bad}` begrijp ik niet. Probeer `/kring digest at 08:30`, `/kring digest weekdays`, "
        "`/kring digest weekly monday`, `/kring digest off` of `/kring digest now`."
    ),
    "digest.now.started": "Ik stel je overzicht samen — het staat zo in je DM's van Kring.",
    "digest.now.sent": "Je overzicht staat in je DM's van Kring: {count} berichten.",
    "digest.now.empty": "Niets nieuws sinds je vorige overzicht — er is niets verstuurd.",
    "digest.now.busy": "Je overzicht wordt nu verstuurd; het komt zo.",
    "digest.now.failed": "Ik kon je overzicht nu niet sturen ({error}). Probeer het later nog eens.",
    "weekday.0": "maandag",
    "weekday.1": "dinsdag",
    "weekday.2": "woensdag",
    "weekday.3": "donderdag",
    "weekday.4": "vrijdag",
    "weekday.5": "zaterdag",
    "weekday.6": "zondag",
    "when.today": "vandaag om {time}",
    "when.tomorrow": "morgen om {time}",
    "when.day": "{day} om {time}",
    "action.followed": "Je volgt nu {target}. Hun berichten komen in je overzicht.",
    "action.already": "Je volgt {target} al.",
    "action.digest_off": "Je overzicht staat op pauze. `/kring digest daily` zet het weer aan.",
    "digest.dm.header": "Je Kring-overzicht",
    "digest.dm.header_weekly": "Je wekelijkse Kring-overzicht",
    "digest.dm.notification": "Je Kring-overzicht: {summary}",
    "digest.dm.notification_weekly": "Je wekelijkse Kring-overzicht: {summary}",
    "digest.dm.notification_empty": "Je Kring-overzicht: deze keer niets nieuws",
    "digest.dm.summary": "{posts} van {people}",
    "digest.dm.posts.one": "{count} bericht",
    "digest.dm.posts.other": "{count} berichten",
    "digest.dm.people.one": "{count} persoon",
    "digest.dm.people.other": "{count} mensen",
    "digest.dm.nothing_new": "Niets nieuws van de mensen en tags die je volgt.",
    "digest.dm.new_followers.one": "{people} volgt je nu",
    "digest.dm.new_followers.other": "{people} volgen je nu",
    "digest.dm.others.one": "{count} ander",
    "digest.dm.others.other": "{count} anderen",
    "digest.dm.busiest": "Drukst: {tags}",
    "digest.dm.author_in_channel": "{author} in {channel}",
    "digest.dm.replies.one": "{count} antwoord",
    "digest.dm.replies.other": "{count} antwoorden",
    "digest.dm.reactions.one": "{count} reactie",
    "digest.dm.reactions.other": "{count} reacties",
    "digest.dm.open": "Openen",
    "digest.dm.via": "via {tags}",
    "digest.dm.more.one": (
        "…en nog {count} bericht. `/kring following` toont wie en wat je volgt; open hun kanalen "
        "om alles te lezen."
    ),
    "digest.dm.more.other": (
        "…en nog {count} berichten. `/kring following` toont wie en wat je volgt; open hun kanalen "
        "om alles te lezen."
    ),
    "digest.dm.follow": "Volgen",
    "digest.dm.settings": "Overzicht-instellingen",
    "digest.dm.pause": "Overzichten pauzeren",
    "digest.dm.pause_title": "Je overzichten pauzeren?",
    "digest.dm.pause_text": (
        "Je krijgt geen overzichten meer tot je ze weer aanzet met `/kring digest daily`."
    ),
    "digest.dm.pause_confirm": "Pauzeren",
    "digest.dm.pause_deny": "Niet pauzeren",
    # --- discovery: who, trending, profile, suggest, followers (NL) ---
    "help.who": "`/kring who #tag` — wie het meest weet van een tag",
    "help.trending": "`/kring trending` — de tags die deze week het snelst groeien (`/kring trending 30d`: maand)",
    "help.profile": "`/kring profile @persoon` — iemands functie, toptags, volgers en recente berichten",
    "help.suggest": "`/kring suggest` — mensen die het volgen waard zijn, en waarom",
    "help.followers": "`/kring followers` — wie jou volgt",
    "usage.who": (
        "`/kring who #design` toont wie het meest weet van een tag: gerangschikt op hun berichten "
        "ermee, de reacties en antwoorden daarop, en hoe recent ze zijn. Je kunt ook in een kanaal "
        "vragen: `@Kring wie weet iets van #design?`"
    ),
    "usage.trending": (
        "`/kring trending` toont de tags die de afgelopen 7 dagen het snelst groeiden tegenover de "
        "7 dagen ervoor; `/kring trending 30d` vergelijkt de afgelopen 30 dagen met de 30 ervoor."
    ),
    "usage.profile": (
        "`/kring profile @ann` toont iemands functie, de tags waarover die het meest post, hun "
        "volgers, een paar recente berichten en wie jullie allebei volgen."
    ),
    "usage.suggest": "`/kring suggest` toont mensen die het volgen waard zijn, met de reden erbij.",
    "usage.followers": "`/kring followers` toont wie jou volgt, met een knop om terug te volgen.",
    "discovery.posts.one": "{count} bericht",
    "discovery.posts.other": "{count} berichten",
    "discovery.reactions.one": "{count} reactie",
    "discovery.reactions.other": "{count} reacties",
    "discovery.replies.one": "{count} antwoord",
    "discovery.replies.other": "{count} antwoorden",
    "discovery.more": "…en nog {count}.",
    "discovery.button.follow": "Volgen",
    "discovery.button.follow_tag": "Tag volgen",
    "discovery.button.follow_back": "Terugvolgen",
    "discovery.button.unfollow": "Ontvolgen",
    "discovery.button.mute": "Dempen",
    "who.header": "*Wie weet van {tag}* — op hun berichten ermee, de reacties en antwoorden daarop, en hoe recent ze zijn:",
    "who.stats": "{posts}, {reactions}, {replies}",
    "who.nobody": "Nog niemand heeft iets over {tag} gepost — wees de eerste!",
    "who.bad_tag": (
        "`{token}` is geen tag die ik kan opzoeken: tags zijn letters, cijfers, `_` en `-`. "
        "Probeer `/kring who #design`."
    ),
    "who.channel_unknown": "Ik kon dat kanaal niet opzoeken. Probeer `/kring who #design`.",
    "trending.header": "*Trending in de afgelopen {days} dagen* — het snelst gegroeid tegenover de {days} dagen ervoor:",
    "trending.line": "{tag} — {posts} (eerder {before})",
    "trending.none": (
        "Er is niets trending in de afgelopen {days} dagen: geen tag groeide tegenover de {days} "
        "dagen ervoor."
    ),
    "trending.bad_window": (
        "`{bad}` is geen periode die ik ken. Probeer `/kring trending 7d` (standaard) of "
        "`/kring trending 30d`."
    ),
    "profile.tags": "Post het meest over: {tags}",
    "profile.no_tags": "Nog geen berichten met tags.",
    "profile.counts": "Volgers: {followers} · Volgt: {following}",
    "profile.mutual": "Jullie volgen allebei {people}",
    "profile.you": "Dit ben jij: anderen zien hetzelfde, met een knop om je te volgen.",
    "profile.recent": "*Recente berichten*",
    "profile.no_posts": "Nog geen berichten in openbare kanalen.",
    "profile.open": "Openen",
    "suggest.header": "*Mensen die je misschien wilt volgen:*",
    "suggest.reason.tag": "post over {tag}",
    "suggest.reason.followed_by.one": "gevolgd door {count} persoon die jij volgt",
    "suggest.reason.followed_by.other": "gevolgd door {count} mensen die jij volgt",
    "suggest.reason.department": "op een andere afdeling",
    "suggest.none": (
        "Nog geen suggesties. Volg eerst een paar tags of collega's (`/kring follow #onderwerp "
        "@collega`); dan kan ik je mensen wijzen die daarover posten."
    ),
    "followers.header.one": "*{count} persoon volgt jou:*",
    "followers.header.other": "*{count} mensen volgen jou:*",
    "followers.none": (
        "Nog niemand volgt jou. Deel waar je aan werkt in openbare kanalen met een #tag: wie die "
        "tag volgt, vindt jou."
    ),
    # --- home tab and welcome (NL) ---
    "home.header": "Jouw Kring",
    "home.intro": (
        "Wat de collega's en #tags die je volgt onlangs deelden, wie je volgt en wanneer je "
        "overzicht komt."
    ),
    "home.feed.title": "*Nieuw van de mensen en tags die je volgt*",
    "home.feed.item": "*{author}* in {channel} · {when}\n{text}",
    "home.feed.empty": "De afgelopen week niets van de mensen en tags die je volgt.",
    "home.feed.start": (
        "Hier staat nog niets, want je volgt nog niemand en geen enkele tag. Volg collega's en "
        "#tags met de knoppen hieronder, of typ ergens in Slack `/kring follow @collega "
        "#onderwerp`: wat zij in openbare kanalen delen, verschijnt hier en in je dagelijkse "
        "overzicht."
    ),
    "home.follows.title": "*Je volgt ({count})*",
    "home.follows.none": "Je volgt nog niemand en geen enkele tag.",
    "home.follows.more": "…en nog {count} — `/kring following` toont ze allemaal.",
    "home.unfollow": "Ontvolgen",
    "home.follow": "Volgen",
    "home.digest.title": "*Je overzicht*",
    "home.digest.on": "Het komt {schedule} ({zone}).",
    "home.digest.off": (
        "Je overzicht is gepauzeerd. Kies hoe vaak het moet komen om het weer aan te zetten."
    ),
    "home.digest.hint": "Kies een tijd en hoe vaak; tijden zijn in je Slack-tijdzone.",
    "home.digest.time": "Tijd van je overzicht",
    "home.digest.frequency": "Hoe vaak",
    "home.frequency.daily": "Elke dag",
    "home.frequency.weekdays": "Werkdagen (maandag t/m vrijdag)",
    "home.frequency.weekly": "Elke {day}",
    "home.frequency.off": "Gepauzeerd",
    "home.suggest.title": "*Mensen die je misschien wilt volgen*",
    "home.suggest.none": (
        "Nu geen suggesties — volg een paar mensen of #tags en Kring vindt er meer zoals zij."
    ),
    "home.reason.tag": "schrijft over #{tag}",
    "home.reason.followed_by.one": "gevolgd door {count} persoon die jij volgt",
    "home.reason.followed_by.other": "gevolgd door {count} mensen die jij volgt",
    "home.reason.other_department": "uit een ander team",
    "home.tags.title": "*Drukke tags*",
    "home.footer": "`/kring help` toont alles wat Kring kan. Wijzigingen hier gelden meteen.",
    "welcome.notification": "Welkom! Kring helpt je je collega's te leren kennen.",
    "welcome.header": "Welkom! Maak kennis met Kring",
    "welcome.intro": (
        "Kring is het sociale netwerk van deze werkruimte.\n"
        "Volg collega's en #tags, en Kring verzamelt wat zij in openbare kanalen delen.\n"
        "Eén keer per dag krijg je hier een kort overzicht, zodat je verbonden blijft, ook als "
        "je op afstand werkt."
    ),
    "welcome.howto": (
        "*Zo werkt het*\n"
        "• `/kring follow @collega #onderwerp` — volg mensen en tags, of gebruik de knoppen "
        "hieronder\n"
        "• `/kring digest at 08:30` — kies wanneer je overzicht komt; `/kring digest` toont je "
        "instellingen\n"
        "• Het tabblad *Home* van Kring — je nieuws, wie je volgt en je overzicht-instellingen"
    ),
    "welcome.people.title": "*Collega's om te volgen*",
    "welcome.tags.title": "*Drukke tags om te volgen*",
    "welcome.nobody": (
        "Kring kent nog niet veel collega's: typ `/kring follow @` en kies iemand uit de lijst "
        "die Slack toont."
    ),
    "welcome.reason.department": "in jouw team",
    "welcome.reason.followers.one": "gevolgd door {count} collega",
    "welcome.reason.followers.other": "gevolgd door {count} collega's",
    "welcome.reason.helpful.one": "{count} reactie of antwoord op hun berichten de laatste tijd",
    "welcome.reason.helpful.other": (
        "{count} reacties en antwoorden op hun berichten de laatste tijd"
    ),
    "welcome.tag_posts.one": "{count} bericht in de afgelopen {days} dagen",
    "welcome.tag_posts.other": "{count} berichten in de afgelopen {days} dagen",
    "welcome.footer": "`/kring help` toont alles wat Kring kan.",
    # --- mute, language (NL) ---
    # privacy
    "usage.opt_out": (
        "`/kring opt-out` zorgt dat Kring vanaf nu je berichten, reacties en vermeldingen niet meer "
        "vastlegt en laat je weg uit experts, trending en suggesties. Wat Kring al heeft blijft "
        "(`/kring forget-me` wist het); `/kring opt-in` zet het weer aan."
    ),
    "usage.opt_in": "`/kring opt-in` laat Kring je berichten, reacties en vermeldingen in openbare kanalen weer vastleggen.",
    "usage.export": "`/kring export` stuurt je in een DM een JSON-bestand met alles wat Kring over je heeft.",
    "usage.forget_me": (
        "`/kring forget-me` wist alles wat Kring over je heeft (nadat je het bevestigt) en legt "
        "niets meer van je vast tot je `/kring opt-in` gebruikt."
    ),
    "help.privacy": "`/kring opt-out`, `opt-in`, `export`, `forget-me` — je gegevens: vastleggen stoppen of hervatten, een kopie krijgen, wissen",
    "privacy.opted_out": (
        "Klaar: Kring legt je berichten, reacties en vermeldingen niet meer vast en laat je weg "
        "uit experts, trending en suggesties. Wat Kring al heeft blijft; `/kring forget-me` wist "
        "het en `/kring opt-in` draait dit terug."
    ),
    "privacy.already_opted_out": "Je had je al afgemeld: Kring legt niets van je vast. `/kring opt-in` zet het weer aan.",
    "privacy.opted_in": "Welkom terug: vanaf nu legt Kring je berichten, reacties en vermeldingen in openbare kanalen weer vast.",
    "privacy.not_opted_out": "Kring legt je berichten al vast; `/kring opt-out` stopt dat.",
    "privacy.export.started": "Ik stuur je export naar je DM's; hij komt zo binnen.",
    "privacy.export.sent": "Je export staat in je DM's: een JSON-bestand met alles wat Kring over je heeft.",
    "privacy.export.failed": "Sorry, ik kon je export niet versturen ({error}). Probeer het zo nog eens.",
    "privacy.export.title": "Alles wat Kring over je heeft",
    "privacy.export.comment": (
        "Hier is alles wat Kring over je heeft, als JSON: je profiel, berichten, reacties, wie je "
        "volgt en wie jou volgt, gedempte mensen en tags, instellingen en overzichtsgeschiedenis."
    ),
    "privacy.forget.explain": (
        "*Vergeet mij* wist alles wat Kring over je heeft: je berichten met hun tags, vermeldingen "
        "en reacties, de reacties die je gaf, vermeldingen van jou, wie je volgt en wie jou volgt, "
        "wat je dempte, je instellingen en overzichtsgeschiedenis. Je berichten verdwijnen meteen "
        "uit ieders overzicht. Kring houdt daarna alleen een markering, zodat het niets van je "
        "vastlegt tot je `/kring opt-in` gebruikt. Dit kan niet ongedaan worden: gebruik eerst "
        "`/kring export` voor een kopie."
    ),
    "privacy.forget.button": "Vergeet mij",
    "privacy.forget.confirm_title": "Alles wissen?",
    "privacy.forget.confirm_text": (
        "Kring wist je berichten, reacties, wie je volgt, je volgers, wat je dempte, je "
        "instellingen en overzichtsgeschiedenis. Dit kan niet ongedaan worden."
    ),
    "privacy.forget.confirm_yes": "Alles wissen",
    "privacy.forget.confirm_no": "Bewaar mijn gegevens",
    "privacy.forget.done": (
        "Klaar: Kring is je vergeten. Gewist: berichten: {posts}, reacties: {reactions}, "
        "vermeldingen: {mentions}, gevolgd: {follows}, volgers: {followers}, gedempt: {mutes}, "
        "overzichten: {deliveries}. Kring legt niets van je vast tot je `/kring opt-in` gebruikt."
    ),
    "usage.mute": (
        "Demp mensen of tags die je niet wilt zien: `/kring mute @persoon #tag`. Ze komen nooit in "
        "je overzichten of suggesties, ook niet via een andere tag die je volgt."
    ),
    "usage.unmute": "Dempen opheffen: `/kring unmute @persoon #tag`.",
    "usage.language": "Kies Kring's taal: `/kring language en`, `nl`, of `auto` (je Slack-taal).",
    "help.mute": "`/kring mute @persoon #tag` — zie ze nooit in overzichten of suggesties; `/kring unmute` draait het terug",
    "help.language": "`/kring language en|nl|auto` — de taal waarin Kring met je praat",
    # admin
    "help.admin": "`/kring admin channels|stats` — voor beheerders: de kanalen die Kring vastlegt en hoe Kring gebruikt wordt",
    "usage.admin": (
        "Voor beheerders en eigenaren van de werkruimte: `/kring admin channels` toont de openbare "
        "kanalen die Kring vastlegt; `/kring admin stats` toont de activiteit van de afgelopen 4 "
        "weken en stuurt je een grafiek."
    ),
    "admin.refused": (
        "Alleen beheerders en eigenaren van de werkruimte kunnen `/kring admin` gebruiken. "
        "`/kring help` toont wat jij kunt doen."
    ),
    "admin.channels.head": (
        "*Kanalen die Kring vastlegt: {count}*\nKring leest alleen openbare kanalen waarin het is "
        "uitgenodigd, en modereert niet wat daar gezegd wordt. Wil je een kanaal niet meer laten "
        "vastleggen, haal Kring dan uit dat kanaal."
    ),
    "admin.channels.none": (
        "Kring zit in geen enkel openbaar kanaal en legt dus niets vast. Nodig het uit met "
        "`/invite @kring` in een openbaar kanaal."
    ),
    "admin.channels.line": "• <#{channel}> — opgeslagen berichten: {posts}, de laatste op {last}",
    "admin.channels.line_empty": "• <#{channel}> — nog geen berichten opgeslagen",
    "admin.channels.more": "…en nog {count}.",
    "admin.channels.failed": "Ik kon mijn kanalen niet opvragen: Slack zei `{error}`.",
    "admin.stats.head": "*Kring in de afgelopen {weeks} weken* (UTC-dagen, oudste week eerst)",
    "admin.stats.week": (
        "• *{start} t/m {end}*: berichten {posts} · actieve schrijvers {posters} · nieuw gevolgd "
        "{follows} · tussen afdelingen {share} · overzichten bezorgd {digests}"
    ),
    "admin.stats.share": "{percent}% ({crossing} van {known})",
    "admin.stats.share_none": "–",
    "admin.stats.footer": (
        "_Tussen afdelingen_: het deel van de nieuwe volgrelaties tussen collega's van "
        "verschillende afdelingen (volgens hun Slack-functie; zonder functie telt een volgrelatie "
        "niet mee). Er komt een grafiek naar je DM."
    ),
    "admin.chart.title": "Kring: de afgelopen {weeks} weken",
    "admin.chart.posts": "Berichten",
    "admin.chart.posters": "Actieve schrijvers",
    "admin.chart.follows": "Nieuw gevolgd",
    "admin.chart.week": "{start} t/m {end}",
    "admin.chart.share": "tussen afdelingen: {share}",
    "admin.chart.comment": "De activiteit in Kring over de afgelopen {weeks} weken.",
    "admin.chart.failed": "Ik kon de grafiek niet uploaden: Slack zei `{error}`.",
    "error.nothing_to_mute": "Zeg wie of wat je wilt dempen, bijv. `/kring mute @ann #lunch`.",
    "error.nothing_to_unmute": "Zeg wie of wat je niet meer wilt dempen, bijv. `/kring unmute #lunch`.",
    "mute.done": "{targets} gedempt: ze verschijnen niet in je overzichten of suggesties.",
    "mute.already": "Je had {targets} al gedempt.",
    "mute.self": "Jezelf dempen kan niet.",
    "unmute.done": "{targets} niet meer gedempt.",
    "unmute.not_muted": "Je had {targets} niet gedempt.",
    "mute.list": "*Gedempt:* {targets}",
    "language.set": "Klaar: Kring praat nu Nederlands met je.",
    "language.auto": "Klaar: Kring volgt je Slack-taal ({language}).",
    "language.current": "Kring praat {language} met je ({how}). Wijzig het met `/kring language en`, `nl` of `auto`.",
    "language.how.chosen": "jouw keuze",
    "language.how.auto": "volgens je Slack-taal",
    "language.unknown": "Ik spreek Engels (`en`) en Nederlands (`nl`); `auto` volgt je Slack-taal. `{bad}` is geen van beide.",
    "language.name.en": "Engels",
    "language.name.nl": "Nederlands",
    "action.unfollowed": "Je volgt {target} niet meer.",
    "action.unmuted": "{target} niet meer gedempt.",
    "button.follow": "Volgen",
    "button.unfollow": "Ontvolgen",
    "button.mute": "Dempen",
    "button.unmute": "Niet dempen",
    "action.muted": "{target} gedempt: ze verschijnen niet in je overzichten of suggesties.",
    "list.and": " en ",
    # --- issue 10, server & limits: admin rights fail closed; the cap on follows ---------------
    "admin.unconfirmed": (
        "Slack antwoordt nu niet, dus ik kan niet nagaan of je beheerder of eigenaar van de "
        "werkruimte bent; `/kring admin` blijft dicht tot Slack weer antwoordt. Probeer het over "
        "een paar minuten opnieuw."
    ),
    "follow.limit": (
        "Je kunt hoogstens {limit} mensen en tags volgen en dat aantal heb je bereikt, dus ik "
        "volg {targets} niet. Met `/kring unfollow` maak je ruimte."
    ),
    "following.more": "…en nog {count}",
    # --- end of issue 10, server & limits ----------------------------------------------------
}

CATALOG: Mapping[str, Mapping[str, str]] = {"en": EN, "nl": NL}


def language_for(locale: str | None, override: str | None = None) -> str:
    """The language to use: the person's own choice, else their Slack locale (``nl-NL``)."""
    if override is not None and override in CATALOG:
        return override
    if locale:
        lang = locale.replace("_", "-").split("-", 1)[0].lower()
        if lang in CATALOG:
            return lang
    return DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (falling back to English), filled with ``values``."""
    template = CATALOG.get(lang, EN).get(key) or EN[key]
    return template.format(**values) if values else template


def tn(key: str, count: int, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The plural form of ``key`` for ``count`` in ``lang``, filled with ``count`` and ``values``."""
    # English and Dutch both have just "one" and "other".
    return t(f"{key}.one" if count == 1 else f"{key}.other", lang, count=count, **values)


def words(key: str, lang: str = DEFAULT_LANGUAGE, /) -> tuple[str, ...]:
    """Input words a person may type, from the catalog: the entry ``key`` holds them separated
    by spaces (``volg`` or ``suggesties suggestie``), lower case."""
    return tuple(w.casefold() for w in t(key, lang).split())


def join(items: list[str], lang: str = DEFAULT_LANGUAGE) -> str:
    """``a, b and c`` in the person's language."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("list.and", lang) + items[-1]


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects (used to check both languages agree)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
