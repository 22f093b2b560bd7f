"""The `kring` command line: `kring run`, `kring db upgrade`, `kring digest run|preview`,
`kring demo`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from types import FrameType

from bot.settings import SettingsError, database_url_from, load_settings

log = logging.getLogger("kring")

EXIT_CONFIG = 2


def _fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"kring: {message}", file=sys.stderr)
    return code


def cmd_run(_: argparse.Namespace) -> int:
    from bot import logs
    from bot.app import build
    from bot.web import HttpServer, make_wsgi

    settings = load_settings(os.environ)
    logs.configure(
        settings.log_level,
        secrets=[
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token or "",
        ],
    )
    try:
        kring = build(settings)
    except Exception as exc:  # a wrong token or unreachable Slack/database must read as one line
        return _fail(
            f"could not start: {logs.RedactingFilter([settings.slack_bot_token]).redact(str(exc))}",
            1,
        )
    log.info("Kring starting (%s)", settings)
    if settings.scheduler:
        from bot.scheduler import build_scheduler

        kring.scheduler = build_scheduler(kring)
        kring.scheduler.start()
        log.info("Scheduler on: a digest pass every minute")
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler
            from slack_sdk.errors import SlackApiError

            assert settings.slack_app_token is not None
            handler = SocketModeHandler(kring.app, settings.slack_app_token)
            signal.signal(signal.SIGTERM, _raise_exit)
            log.info("Socket Mode: connecting to Slack")
            try:
                handler.start()
            except (KeyboardInterrupt, SystemExit):
                handler.close()
            except SlackApiError as exc:  # apps.connections.open refused the app token
                handler.close()
                return _fail(
                    f"could not open a Socket Mode connection: Slack answered "
                    f"{exc.response.get('error')!r}. SLACK_APP_TOKEN must be an app-level token "
                    "(xapp-…) of this app with the connections:write scope.",
                    1,
                )
            return 0
        server = HttpServer(
            make_wsgi(
                kring.app,
                kring.engine,
                signing_secret=settings.slack_signing_secret,
                writer=kring.deps.writer,
            ),
            port=settings.port,
        )

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("Stopping: finishing requests and digest sends in flight")
            kring.stopping.set()
            server.stop()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        log.info("HTTP mode: listening on port %d at /slack/events", server.port)
        server.serve()
        log.info("Stopped")
        return 0
    finally:
        kring.close()


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def cmd_db_upgrade(_: argparse.Namespace) -> int:
    from storage.db import make_engine, upgrade

    engine = make_engine(database_url_from(os.environ))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print("kring: database is up to date")
    return 0


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


def cmd_digest_run(args: argparse.Namespace) -> int:
    from bot import logs
    from bot.app import build
    from digests.deliver import run_pass

    settings = load_settings(os.environ)
    logs.configure(
        settings.log_level, secrets=[settings.slack_bot_token, settings.slack_signing_secret]
    )
    now = _when(args.now)
    kring = build(settings)
    try:
        report = run_pass(
            sessions=kring.deps.sessions, client=kring.client, now=now, per_second=args.per_second
        )
    finally:
        kring.close()
    print(
        f"kring: digest pass at {now.isoformat()}: {report.due} due, {report.claimed} claimed, "
        f"{report.sent} sent, {report.empty} empty, {report.failed} failed, "
        f"{report.inactive} inactive"
    )
    return 1 if report.failed else 0


def cmd_digest_preview(args: argparse.Namespace) -> int:
    from digests.preview import preview
    from storage.db import make_engine, make_sessions, upgrade

    engine = make_engine(database_url_from(os.environ))
    try:
        upgrade(engine)
        output = preview(
            sessions=make_sessions(engine),
            user_id=args.user_id,
            team_id=args.team,
            now=_when(args.now),
            as_json=args.json,
        )
    finally:
        engine.dispose()
    if output is None:
        return _fail(f"no one with user id {args.user_id} is known to Kring", 1)
    print(output)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot import logs
    from bot.demo import DemoError, run_demo

    # The demo is the output; only trouble should reach stderr, not Kring's usual INFO lines.
    logs.configure("WARNING")
    try:
        return run_demo(sys.stdout, now=_when(args.now) if args.now else None)
    except DemoError as exc:
        return _fail(f"demo failed: {exc}", 1)
    except BrokenPipeError:
        # `kring demo | head` stopped reading; that is no failure, and the interpreter's own
        # flush of stdout at exit must not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kring", description="Kring, the Slack social network")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start Kring (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)")
    run.set_defaults(func=cmd_run)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_up = db_sub.add_parser("upgrade", help="bring the schema up to date")
    db_up.set_defaults(func=cmd_db_upgrade)
    digest = sub.add_parser("digest", help="digests: run a pass, or preview one person's")
    digest_sub = digest.add_subparsers(dest="digest_command", required=True)
    run_once = digest_sub.add_parser(
        "run", help="run one digest pass now (for cron or catching up)"
    )
    run_once.add_argument("--now", help="act as if the clock read this ISO-8601 time")
    run_once.add_argument(
        "--per-second", type=float, default=5.0, help="at most this many DMs a second (default 5)"
    )
    run_once.set_defaults(func=cmd_digest_run)
    show = digest_sub.add_parser("preview", help="print a person's digest without sending it")
    show.add_argument("user_id", help="the Slack user id, e.g. U012ABCDEF")
    show.add_argument("--team", help="the Slack team id (needed when Kring serves several)")
    show.add_argument("--now", help="act as if the clock read this ISO-8601 time")
    show.add_argument("--json", action="store_true", help="print the Block Kit JSON instead")
    show.set_defaults(func=cmd_digest_preview)
    demo = sub.add_parser(
        "demo",
        help="try Kring without Slack: a stand-in workspace, a day of activity, everyone's digest",
    )
    demo.add_argument(
        "--now",
        help="run the digest pass at this ISO-8601 time (default: the latest hour when it is "
        "past 10:00 in Amsterdam, London and New York)",
    )
    demo.set_defaults(func=cmd_demo)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    from dotenv import load_dotenv

    load_dotenv(os.environ.get("KRING_ENV_FILE", ".env"))
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        return _fail(str(exc))
    return code


if __name__ == "__main__":
    sys.exit(main())
