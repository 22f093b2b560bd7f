"""The `kring` command line: `kring run`, `kring check`, `kring db upgrade`,
`kring digest run|preview`, `kring maintenance run`, `kring backfill`, `kring demo`.

Every command fails in one line on stderr: exit code 2 for a missing or malformed setting
(or a mistyped command), 1 when something Kring depends on is unreachable or refuses. The
probes run before anything starts, so a failed start leaves nothing half-running.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from bot import settings as config
from bot.settings import Settings, SettingsError, load_settings, settings_help

if TYPE_CHECKING:
    from bot.app import Kring
    from bot.web import HttpServer

log = logging.getLogger("kring")
T = TypeVar("T")

EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int = EXIT_CONFIG, secrets: Sequence[str] = ()) -> int:
    """Say what failed in one line on stderr (tokens and secrets hidden); return ``code``."""
    from bot.logs import RedactingFilter, one_line

    print(f"kring: {one_line(RedactingFilter(secrets).redact(message))}", file=sys.stderr)
    return code


def _start(command: str) -> Settings:
    """The settings ``command`` uses, and logging set up from them."""
    from bot import logs

    settings = load_settings(os.environ, command=command)
    logs.configure(settings.log_level, secrets=settings.secrets, fmt=settings.log_format)
    return settings


def cmd_run(_: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from bot.app import build, build_client
    from bot.web import HttpServer, make_wsgi
    from storage.db import ping
    from telemetry.server import MetricsServer

    # Ports first, then the database and Slack: each fails in one line before anything starts.
    if not settings.socket_mode:
        check.require_free_port(settings.host, settings.port, "PORT")
    if settings.metrics_port is not None:
        check.require_free_port(settings.host, settings.metrics_port, "METRICS_PORT")
    check.open_database(settings.database_url, create=True).dispose()
    check.require_bot_token(build_client(settings), settings)
    if not settings.socket_mode and check.manifest_expects_socket_mode():
        log.warning(
            "HTTP mode, but manifest.yml turns Socket Mode on: Slack will send nothing here. "
            "Set SLACK_APP_TOKEN, or turn Socket Mode off in the app (`kring check` tells more)"
        )
    kring = build(settings)
    resumed = kring.deps.backfills.resume(
        sessions=kring.deps.sessions, client=kring.client, clock=kring.deps.clock
    )
    if resumed:
        log.info("Resuming %d history imports a restart cut off", resumed)
    metrics: MetricsServer | None = None
    try:
        if settings.metrics_port is not None:

            def healthy() -> bool:
                return ping(kring.engine)

            metrics = _listen(
                lambda: MetricsServer(settings.host, settings.metrics_port or 0, healthy),
                settings,
                "METRICS_PORT",
            )
            metrics.start()
            log.info("Metrics: /metrics and /healthz on port %d", metrics.port)
        server: HttpServer | None = None
        if not settings.socket_mode:
            wsgi = make_wsgi(kring.app, kring.engine, signing_secret=settings.slack_signing_secret)
            server = _listen(
                lambda: HttpServer(wsgi, host=settings.host, port=settings.port),
                settings,
                "PORT",
            )
        log.info("Kring starting (%s)", settings)

        def start_scheduler() -> None:
            if settings.scheduler:
                from bot.scheduler import build_scheduler

                kring.scheduler = build_scheduler(kring)
                kring.scheduler.start()
                log.info("Scheduler on: a digest pass every minute")

        if server is None:
            return _socket_mode(kring, start_scheduler)
        start_scheduler()
        return _serve(kring, server)
    finally:
        if metrics is not None:
            metrics.stop()
        kring.close()


def _listen(make: Callable[[], T], settings: Settings, setting: str) -> T:
    """Bind a server; a port taken since the probe still ends in one line."""
    from bot import check

    try:
        return make()
    except OSError as exc:
        port = settings.port if setting == "PORT" else settings.metrics_port or 0
        raise check.Failure(check.port_failure(exc, settings.host, port, setting)) from None


def _socket_mode(kring: Kring, start_scheduler: Callable[[], None]) -> int:
    """Connect first (a refused app token ends in one line), then start the scheduler, then
    serve until SIGTERM or SIGINT."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    assert kring.settings.slack_app_token is not None
    handler = SocketModeHandler(kring.app, kring.settings.slack_app_token)
    log.info("Socket Mode: connecting to Slack")
    try:
        handler.connect()
    except SlackApiError as exc:  # apps.connections.open refused the app token
        handler.close()
        return _fail(
            f"could not open a Socket Mode connection: Slack answered "
            f"{exc.response.get('error')!r}. SLACK_APP_TOKEN must be an app-level token "
            "(xapp-…) of this app with the connections:write scope.",
            EXIT_FAILURE,
        )
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("Stopping: finishing digest sends in flight")
        kring.stopping.set()
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        start_scheduler()
        log.info("Socket Mode: connected; Kring is running")
        while not stop.wait(1):
            pass
    finally:
        handler.close()
    log.info("Stopped")
    return 0


def _serve(kring: Kring, server: HttpServer) -> int:
    def _on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("Stopping: finishing requests and digest sends in flight")
        kring.stopping.set()
        server.stop()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    log.info(
        "HTTP mode: listening on %s port %d at /slack/events", kring.settings.host, server.port
    )
    server.serve()
    log.info("Stopped")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from bot.app import build_client

    lines = check.run_checks(settings, build_client(settings), check.find_manifest(args.manifest))
    print(check.report(lines))
    return EXIT_FAILURE if any(not line.ok for line in lines) else 0


def cmd_db_upgrade(_: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from storage.db import upgrade

    engine = check.open_database(settings.database_url, create=True)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print("kring: database is up to date")
    return 0


def cmd_maintenance_run(_: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from bot.app import build_client
    from bot.maintenance import run_maintenance
    from storage.db import make_sessions, upgrade

    engine = check.open_database(settings.database_url, create=False)
    try:
        client = build_client(settings)
        check.require_bot_token(client, settings)
        upgrade(engine)
        report = run_maintenance(
            sessions=make_sessions(engine),
            client=client,
            retention_days=settings.retention_days,
            now=datetime.now(UTC),
        )
    finally:
        engine.dispose()
    purged, audit = report.purged, report.audit
    print(
        f"kring: retention deleted {purged.posts} posts older than {settings.retention_days} "
        f"days and {purged.permalinks} cached permalinks; channel audit: {audit.checked} "
        f"channels checked, {audit.closed} gone ({audit.posts} posts deleted)"
        + (f", {audit.unchecked} not answered (tried again next run)" if audit.unchecked else "")
    )
    if audit.error:
        return _fail(f"the channel audit could not run: {audit.error}", EXIT_FAILURE)
    return EXIT_FAILURE if audit.unchecked else 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from bot.app import build_client
    from handlers.backfill import Pacer, backfill_channel, member_channels
    from storage.db import make_sessions, upgrade

    days = settings.backfill_days if args.days is None else args.days
    if not 1 <= days <= 36500:
        raise SettingsError(f"--days must be between 1 and 36500, got {days}")
    engine = check.open_database(settings.database_url, create=False)
    failed = 0
    try:
        client = build_client(settings, timeout=30)
        team_id = str(check.require_bot_token(client, settings).get("team_id") or "")
        upgrade(engine)
        sessions = make_sessions(engine)
        channels = args.channel or member_channels(client)
        pacer = Pacer()
        pages = read = stored = 0
        for channel_id in channels:
            summary = backfill_channel(
                sessions=sessions,
                client=client,
                team_id=team_id,
                channel_id=channel_id,
                days=days,
                clock=lambda: datetime.now(UTC),
                pacer=pacer,
            )
            pages, read, stored = (
                pages + summary.pages,
                read + summary.messages,
                stored + summary.stored,
            )
            if summary.error:
                failed += 1
                _fail(f"backfill of {channel_id} failed: {summary.error}", EXIT_FAILURE)
    finally:
        engine.dispose()
    print(
        f"kring: backfill of {len(channels)} channels ({days} days): {pages} pages, "
        f"{read} messages read, {stored} posts stored, {failed} failed"
    )
    return EXIT_FAILURE if failed else 0


def _when(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SettingsError(
            f"--now must be an ISO-8601 time such as 2026-11-28T08:00:00Z, got {raw!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_digest_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from bot.app import build_client
    from digests.deliver import run_pass
    from storage.db import make_sessions, upgrade

    now = _when(args.now)
    if args.per_second is not None and args.per_second < 0:
        raise SettingsError(f"--per-second must be 0 (no limit) or more, got {args.per_second}")
    engine = check.open_database(settings.database_url, create=False)
    try:
        client = build_client(settings)
        check.require_bot_token(client, settings)
        upgrade(engine)
        report = run_pass(
            sessions=make_sessions(engine),
            client=client,
            now=now,
            per_second=args.per_second or None,
            team_ids=[args.team] if args.team else None,
            retention_days=settings.retention_days,
        )
    finally:
        engine.dispose()
    print(
        f"kring: digest pass at {now.isoformat()}: {report.due} due, {report.claimed} claimed, "
        f"{report.sent} sent, {report.empty} empty, {report.failed} failed, "
        f"{report.inactive} inactive"
    )
    return EXIT_FAILURE if report.failed else 0


def cmd_digest_preview(args: argparse.Namespace, settings: Settings) -> int:
    from bot import check
    from digests.preview import preview
    from storage.db import make_sessions, upgrade

    now = _when(args.now)
    engine = check.open_database(settings.database_url, create=False)
    try:
        upgrade(engine)
        output = preview(
            sessions=make_sessions(engine),
            user_id=args.user_id,
            team_id=args.team,
            now=now,
            as_json=args.json,
            retention_days=settings.retention_days,
        )
    finally:
        engine.dispose()
    if output is None:
        return _fail(f"no one with user id {args.user_id} is known to Kring", EXIT_FAILURE)
    print(output)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot import logs
    from standin.demo import HANDLES, DemoError, find_person, run_demo

    person = None
    if args.person is not None:
        person = find_person(args.person)
        if person is None:
            raise SettingsError(
                f"--person: no one called {args.person!r} in the demo; try one of "
                + ", ".join(HANDLES)
            )
    # The demo is the output; only trouble should reach stderr, not Kring's usual INFO lines.
    logs.configure("WARNING")
    # The printed commands call Kring the way this one was called (.venv/bin/kring, say).
    program = sys.argv[0] if Path(sys.argv[0]).name == "kring" else "kring"
    try:
        return run_demo(
            sys.stdout,
            now=_when(args.now) if args.now else None,
            keep=Path(args.keep) if args.keep else None,
            person=person,
            program=program,
        )
    except DemoError as exc:
        return _fail(f"demo failed: {exc}", 1)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistyped command in one line (and how to get help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kring")
    except PackageNotFoundError:
        return "unknown"


DESCRIPTION = """\
Kring, your organisation's Slack as its internal social network.

Settings come from the environment and from the file KRING_ENV_FILE names (default .env in the
working directory); the environment wins. `kring COMMAND --help` lists the settings a command
reads. Exit codes: 0 done, 1 something failed (one line says what and what to do), 2 a setting
or an argument is wrong."""


def parser() -> argparse.ArgumentParser:
    def command(parent: Any, name: str, key: str, **kwargs: Any) -> argparse.ArgumentParser:
        if "description" in kwargs:
            kwargs["description"] = textwrap.fill(kwargs["description"], 88)
        sub: argparse.ArgumentParser = parent.add_parser(
            name,
            epilog=settings_help(key),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        return sub

    top = _Parser(
        prog="kring",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"kring {_version()}")
    top.set_defaults(func=None, help_of=top)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = command(
        sub,
        "run",
        config.RUN,
        help="start Kring (Socket Mode with SLACK_APP_TOKEN, else HTTP mode on PORT)",
        description="Start Kring: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode "
        "serving /slack/events and /healthz on HOST:PORT. The schema is brought up to date, "
        "and unless KRING_SCHEDULER=off a digest pass runs every minute.",
    )
    run.set_defaults(func=cmd_run)

    check = command(
        sub,
        "check",
        config.CHECK,
        help="check the tokens, scopes, mode and database before going live",
        description="Check what Kring needs, one line each (ok or FAIL, and the fix): the "
        "database reachable and migrated, the bot token (auth.test), the scopes Slack granted "
        "against those manifest.yml asks for, and Socket Mode vs HTTP mode against the app "
        "token. Exit code 1 when any check fails.",
    )
    check.add_argument(
        "--manifest",
        metavar="PATH",
        help="the app manifest to compare with (default: manifest.yml here, else Kring's own)",
    )
    check.set_defaults(func=cmd_check)

    db = sub.add_parser("db", help="database maintenance: `kring db upgrade`")
    db.set_defaults(func=None, help_of=db)
    db_sub = db.add_subparsers(dest="db_command", metavar="COMMAND", parser_class=_Parser)
    db_up = command(
        db_sub,
        "upgrade",
        config.DB_UPGRADE,
        help="bring the schema up to date (kring run does it too when it starts)",
    )
    db_up.set_defaults(func=cmd_db_upgrade)

    maintenance = sub.add_parser(
        "maintenance", help="retention and the channel audit: `kring maintenance run`"
    )
    maintenance.set_defaults(func=None, help_of=maintenance)
    maintenance_sub = maintenance.add_subparsers(
        dest="maintenance_command", metavar="COMMAND", parser_class=_Parser
    )
    maintenance_run = command(
        maintenance_sub,
        "run",
        config.MAINTENANCE,
        help="retention and the channel audit (kring run does it daily)",
        description="Delete posts older than KRING_RETENTION_DAYS (with their tags, mentions, "
        "reactions and cached permalinks) and event ids Slack can no longer retry, then ask "
        "Slack about every channel that holds posts and delete the posts of those Kring can no "
        "longer see (deleted, made private, Kring removed). `kring run` does this once a day; "
        "run it from cron when every instance has KRING_SCHEDULER=off. Exit code 1 when some "
        "channel could not be checked (it is tried again next run).",
    )
    maintenance_run.set_defaults(func=cmd_maintenance_run)

    backfill = command(
        sub,
        "backfill",
        config.BACKFILL,
        help="import the recent history of the public channels Kring is in",
        description="Import the last KRING_BACKFILL_DAYS days (or --days) of every public "
        "channel Kring is a member of, or only the --channel ones, threads included, with the "
        "same rules as live recording and within Slack's rate limits. Kring does this by itself "
        "when it joins a channel. An import that was cut off resumes where it stopped; what is "
        "stored already is never stored twice. Exit code 1 when some channel failed.",
    )
    backfill.add_argument(
        "--days", type=int, help="how many days back (default KRING_BACKFILL_DAYS)"
    )
    backfill.add_argument(
        "--channel",
        action="append",
        metavar="ID",
        help="only this channel id (repeat for more)",
    )
    backfill.set_defaults(func=cmd_backfill)

    digest = sub.add_parser("digest", help="digests: `kring digest run`, `kring digest preview`")
    digest.set_defaults(func=None, help_of=digest)
    digest_sub = digest.add_subparsers(
        dest="digest_command", metavar="COMMAND", parser_class=_Parser
    )
    run_once = command(
        digest_sub,
        "run",
        config.DIGEST_RUN,
        help="run one digest pass now (for cron, or catching up)",
        description="Send every digest that is due now (each person's at their own local "
        "time) and record it; safe beside running instances and other passes.",
    )
    run_once.add_argument("--now", help="act as if the clock read this ISO-8601 time")
    run_once.add_argument(
        "--per-second",
        type=float,
        default=5.0,
        help="send at most this many DMs a second (default 5; 0 for no limit)",
    )
    run_once.add_argument(
        "--team", help="only this Slack team id (when the database holds several workspaces)"
    )
    run_once.set_defaults(func=cmd_digest_run)

    show = command(
        digest_sub,
        "preview",
        config.DIGEST_PREVIEW,
        help="print a person's digest without sending it",
        description="Print the digest a person would get now, as text or Block Kit JSON, "
        "without sending, claiming or recording anything, and without calling Slack.",
    )
    show.add_argument("user_id", help="the Slack user id, e.g. U012ABCDEF")
    show.add_argument(
        "--team", help="the Slack team id, when the database holds several workspaces"
    )
    show.add_argument("--now", help="act as if the clock read this ISO-8601 time")
    show.add_argument("--json", action="store_true", help="print the Block Kit JSON instead")
    show.set_defaults(func=cmd_digest_preview)

    demo = command(
        sub,
        "demo",
        config.DEMO,
        help="try Kring without Slack: a small organisation's day, every feature, in a few screens",
        description="Play a small organisation's day against a stand-in Slack (Kring itself is "
        "real): people post, follow and react; then everyone's digest at 09:00 their own time, "
        "who knows about a tag, trending, suggestions, a profile, the Home tab, a new hire's "
        "welcome and the admin chart. Needs no Slack workspace, tokens or settings.",
    )
    demo.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the demo's SQLite database (and the chart) in DIR and print the commands "
        "to explore it; an earlier demo's database there is replaced",
    )
    demo.add_argument(
        "--person",
        metavar="NAME",
        help="show one person's view: their digest, Home tab and profile (anna, jack, …)",
    )
    demo.add_argument(
        "--now",
        help="run as if the clock read this ISO-8601 time (the story is the latest day that "
        "is over by then)",
    )
    demo.set_defaults(func=lambda args, _: cmd_demo(args))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    from dotenv import load_dotenv

    from bot.check import Failure, describe

    load_dotenv(os.environ.get("KRING_ENV_FILE", ".env"))
    args = parser().parse_args(argv)
    if args.func is None:  # `kring`, `kring db` or `kring digest` alone
        args.help_of.print_help()
        return 0
    command = _command_of(args)
    settings: Settings | None = None
    try:
        settings = _start(command)
        code: int = args.func(args, settings)
    except SettingsError as exc:
        return _fail(str(exc))
    except Failure as exc:
        return _fail(str(exc), EXIT_FAILURE, settings.secrets if settings else ())
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError as exc:
        if not _stdout_closed():
            return _fail(
                describe(exc, settings), EXIT_FAILURE, settings.secrets if settings else ()
            )
        # `kring demo | head` stopped reading; that is no failure, and the interpreter's own
        # flush of stdout at exit must not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        log.debug("kring %s failed", command, exc_info=exc)
        return _fail(describe(exc, settings), EXIT_FAILURE, settings.secrets if settings else ())
    return code


def _stdout_closed() -> bool:
    """Whether whoever reads our output has gone (`kring digest preview … | head`)."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _command_of(args: argparse.Namespace) -> str:
    for key in ("db_command", "digest_command", "maintenance_command"):
        if getattr(args, key, None):
            return f"{args.command} {getattr(args, key)}"
    return str(args.command)


if __name__ == "__main__":
    sys.exit(main())
