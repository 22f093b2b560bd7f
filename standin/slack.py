"""A stand-in Slack for Kring's end-to-end tests, benchmarks and ``kring demo``.

Two directions are covered:

* :class:`StandinSlack` answers the Slack Web API (point ``WebClient(base_url=standin.url)`` at it),
  Slack's file upload URLs and ``response_url`` posts, records every call and can inject faults.
  It refuses messages and views Slack would refuse (:mod:`standin.blockkit`), answering as Slack
  does, and lists them in :meth:`StandinSlack.refusals`.
* :class:`SlackToApp` plays Slack towards Kring's HTTP endpoint: signed Events API envelopes,
  slash commands and interactivity payloads.

Only the standard library is used so that the stand-in cannot drift along with the SDK it is
meant to check.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import hashlib
import hmac
import itertools
import json
import threading
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from standin.blockkit import MAX_MESSAGE_TEXT, blocks_problems, view_problems

__all__ = [
    "Call",
    "Refusal",
    "Response",
    "SlackToApp",
    "StandinSlack",
    "UploadedFile",
    "sign",
]

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
# The bot scopes manifest.yml asks for: a fresh stand-in grants them all, as an install does.
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "reactions:read",
    "users:read",
    "users.profile:read",
    "files:write",
    "im:write",
)
# Slack timestamps are "seconds.microseconds"; a fixed epoch keeps runs reproducible.
_TS_EPOCH_MICROS = 1_700_000_000 * 1_000_000
_TZ_LABELS = {
    "Europe/Amsterdam": "Central European Time",
    "Europe/Berlin": "Central European Time",
    "Europe/Brussels": "Central European Time",
    "Europe/Paris": "Central European Time",
    "Europe/London": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "America/New_York": "Eastern Standard Time",
    "America/Chicago": "Central Standard Time",
    "America/Denver": "Mountain Standard Time",
    "America/Los_Angeles": "Pacific Standard Time",
    "Asia/Tokyo": "Japan Standard Time",
    "Asia/Kolkata": "India Standard Time",
    "Australia/Sydney": "Australian Eastern Daylight Time",
}


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, in arrival order.

    ``params`` holds form fields as ``str`` and JSON bodies as parsed; JSON-typed form fields
    (``blocks``, ``view``, ``files`` ...) stay strings, use :meth:`json` to decode them.
    ``status``/``error`` tell what the stand-in answered, which lets retry tests tell the
    injected failure apart from the successful attempt.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    error: str | None = None
    token: str | None = None

    def json(self, name: str) -> Any:
        if name not in self.params:
            raise KeyError(
                f"{self.method} call has no {name!r} param; it has {sorted(self.params)}"
            )
        value = self.params[name]
        if isinstance(value, str | bytes):
            return json.loads(value)
        return value

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class Refusal:
    """Something Kring sent that Slack would have refused (see :mod:`standin.blockkit`).

    ``method`` is the Web API method, "response_url", or "ack" for the body of Kring's answer
    to a slash command or click; ``problems`` are Slack's descriptions of what is wrong.
    """

    method: str
    error: str
    problems: tuple[str, ...]
    params: dict[str, Any]


# Where Slack checks a message's text and blocks, and where it checks a view.
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.publish", "views.open", "views.update", "views.push"})


def message_refusal(params: dict[str, Any]) -> tuple[str, list[str]] | None:
    """Slack's error and problem list for a message it would refuse; None when it is fine."""
    text = params.get("text")
    if isinstance(text, str) and len(text.encode("utf-16-le")) // 2 > MAX_MESSAGE_TEXT:
        return "msg_too_long", [f"text must be at most {MAX_MESSAGE_TEXT} characters"]
    blocks = params.get("blocks")
    if blocks is None or blocks == "":
        return None
    problems = blocks_problems(blocks, "message")
    return ("invalid_blocks", problems) if problems else None


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    error: str | None
    status: int
    retry_after: int | None
    remaining: int

    def reply(self) -> _Reply:
        error = self.error or ("ratelimited" if self.status == 429 else "internal_error")
        headers = dict(_JSON_HEADERS)
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        body = json.dumps({"ok": False, "error": error}).encode()
        return _Reply(self.status, headers, body, error)


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    error: str | None = None
    delay: float = 0.0


def _json_reply(payload: dict[str, Any]) -> _Reply:
    error = None if payload.get("ok") else str(payload.get("error"))
    return _Reply(200, dict(_JSON_HEADERS), json.dumps(payload).encode(), error)


def _text_reply(status: int, text: str, error: str | None = None) -> _Reply:
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    return _Reply(status, headers, text.encode(), error)


class _SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


_ApiHandler = Callable[[dict[str, Any]], dict[str, Any]]


class StandinSlack:
    """A workspace served over HTTP on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_name: str = "Kring Test",
        team_domain: str = "kring-test",
        bot_user_id: str = "UKRING",
        bot_id: str = "BKRING",
        bot_name: str = "kring",
        app_id: str = "A0001",
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id

        # One re-entrant lock guards all state so handler threads and the test thread agree.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._refusals: list[Refusal] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._locales: dict[str, str] = {}
        # The workspace's custom profile field definitions, as team.profile.get lists them.
        self._profile_fields: list[dict[str, Any]] = []
        # Whether users.info carries people's custom field values (users.profile.get always
        # does); False plays a workspace where users.info leaves them out.
        self.custom_fields_in_users_info = True
        self._channels: dict[str, dict[str, Any]] = {}
        # Each channel's messages (top level, and replies sent to the channel too) by ts, and
        # each thread's replies by (channel, thread ts), oldest first.
        self._history: dict[str, dict[str, dict[str, Any]]] = {}
        self._threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._stubs: dict[str, dict[str, Any]] = {}
        self._files: dict[str, UploadedFile] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._ts_steps = itertools.count(1)
        self._response_urls = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._stopping = threading.Event()
        self._api: dict[str, _ApiHandler] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.profile.get": self._users_profile_get,
            "team.profile.get": self._team_profile_get,
            "users.conversations": self._users_conversations,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }
        # What Slack lists in the x-oauth-scopes header of each answer to the bot token.
        self.scopes: list[str] = list(BOT_SCOPES)
        self.add_user(bot_user_id, bot_name, real_name="Kring", is_bot=True)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        with self._lock:
            if self._server is not None:
                raise RuntimeError("StandinSlack is already running")
            self._stopping.clear()
            server = _Server(self)
            self._port = server.server_address[1]
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"standin-slack-{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        # Wake handlers parked in delay() so shutdown does not wait out their sleep.
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("StandinSlack has not been started")
        return self._port

    @property
    def url_root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.url_root}/api/"

    def new_response_url(self) -> str:
        with self._lock:
            return f"{self.url_root}/response/{next(self._response_urls)}"

    # -- workspace state -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        title: str = "",
        tz: str = "Europe/Amsterdam",
        tz_offset: int = 3600,
        tz_label: str | None = None,
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        email: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        """Add or replace a user.

        ``display_name`` defaults to "" because that is what Slack returns for people who
        never set one; code must fall back to ``real_name`` itself. ``fields`` holds custom
        profile field values by field id, as Slack's ``{"value": …, "alt": …}`` or plain text.
        """
        real = name if real_name is None else real_name
        display = "" if display_name is None else display_name
        profile: dict[str, Any] = {
            "title": title,
            "phone": "",
            "skype": "",
            "real_name": real,
            "real_name_normalized": _normalize(real),
            "display_name": display,
            "display_name_normalized": _normalize(display),
            "fields": _field_values(fields or {}),
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "g0000000000",
            "image_72": f"https://avatars.slack-edge.com/{user_id}_72.png",
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B" + user_id[1:]
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": tz_label if tz_label is not None else _tz_label(tz, tz_offset),
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }
        with self._lock:
            self._users[user_id] = user
            self._locales[user_id] = locale

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        # Since 2021 private channels get C ids and report is_channel; old ones are G/groups.
        legacy_group = channel_id.startswith("G")
        channel = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": not legacy_group,
            "is_group": legacy_group,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private,
            "is_archived": is_archived,
            "is_general": name == "general",
            "is_member": is_member,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": 1_700_000_000,
            "creator": self.bot_user_id,
            "context_team_id": self.team_id,
        }
        with self._lock:
            self._channels[channel_id] = channel

    def add_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Put a message in a channel's history (``ts`` given, or the next one), for
        conversations.history and conversations.replies; a reply (``thread_ts`` other than
        its ts) goes into its thread, and into the channel too when its subtype is
        ``thread_broadcast``, and counts in its parent's ``reply_count``. Returns the message."""
        with self._lock:
            stored = {"type": "message", "team": self.team_id, **copy.deepcopy(message)}
            stored.setdefault("ts", self._next_ts())
            ts, thread_ts = str(stored["ts"]), stored.get("thread_ts")
            channel = self._history.setdefault(channel_id, {})
            if thread_ts and thread_ts != ts:
                thread = self._threads.setdefault((channel_id, str(thread_ts)), [])
                thread.append(stored)
                thread.sort(key=lambda reply: float(reply["ts"]))
                parent = channel.get(str(thread_ts))
                if parent is not None:
                    parent["reply_count"] = len(thread)
                    parent["reply_users"] = sorted({str(r.get("user")) for r in thread})
                    parent["latest_reply"] = thread[-1]["ts"]
                if stored.get("subtype") != "thread_broadcast":
                    return copy.deepcopy(stored)
            channel[ts] = stored
            return copy.deepcopy(stored)

    def add_profile_field(
        self,
        field_id: str,
        label: str,
        *,
        field_type: str = "text",
        hint: str = "",
        possible_values: list[str] | None = None,
        is_hidden: bool = False,
    ) -> None:
        """Define (or redefine) a custom profile field of the workspace, as an admin does."""
        definition: dict[str, Any] = {
            "id": field_id,
            "ordering": 0,
            "field_name": "",
            "label": label,
            "hint": hint,
            "options": None,
            "possible_values": list(possible_values) if possible_values else None,
            "type": field_type,
            "is_hidden": is_hidden,
        }
        with self._lock:
            others = [f for f in self._profile_fields if f["id"] != field_id]
            definition["ordering"] = len(others)
            self._profile_fields = [*others, definition]

    def set_profile_field(self, user_id: str, field_id: str, value: str) -> None:
        """Set a person's value of a custom profile field ("" clears it)."""
        with self._lock:
            fields = self._users[user_id]["profile"]["fields"]
            if value:
                fields[field_id] = {"value": value, "alt": ""}
            else:
                fields.pop(field_id, None)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """A copy of the user object Slack sends for ``user_id`` (in ``user_change`` and
        ``team_join`` events, ``users.info``); None for someone unknown."""
        with self._lock:
            found = self._users.get(user_id)
            return copy.deepcopy(found) if found is not None else None

    def stub(self, method: str, payload: dict[str, Any] | None) -> None:
        """Answer ``method`` with ``{"ok": true, **payload}``; None removes the stub.

        Covers Web API methods this stand-in does not model without editing it.
        """
        with self._lock:
            if payload is None:
                self._stubs.pop(method, None)
            else:
                self._stubs[method] = copy.deepcopy(payload)

    def uploaded_files(self) -> list[UploadedFile]:
        with self._lock:
            return [dataclasses.replace(f, channels=list(f.channels)) for f in self._files.values()]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for ``user_id``."""
        with self._lock:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    # -- recording -----------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def clear(self) -> None:
        """Forget recorded calls and refusals; workspace state, faults and delays stay."""
        with self._lock:
            self._calls.clear()
            self._refusals.clear()

    def refusals(self) -> list[Refusal]:
        """What was sent that Slack would have refused (and the stand-in did refuse), in order.

        A refused message is not delivered: it is in :meth:`calls` only as a failed call, never
        in :meth:`posted_messages`, :meth:`response_url_posts` or :meth:`home_view`.
        """
        with self._lock:
            return list(self._refusals)

    def check_ack(self, body: bytes) -> None:
        """Check the body of Kring's HTTP answer to a slash command or click, which Slack
        shows as a message; a body Slack would refuse is recorded as a refusal of "ack"."""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return  # plain text: Slack shows it as it is
        if not isinstance(payload, dict):
            return
        if payload.get("response_action") is not None:
            # A view_submission answer: its view, if any, is checked like views.update's.
            view = payload.get("view")
            problems = view_problems(view) if view is not None else []
            if problems:
                self._refuse("ack", "invalid_arguments", problems, payload)
            return
        refused = message_refusal(payload)
        if refused is not None:
            self._refuse("ack", *refused, payload)

    def _refuse(self, method: str, error: str, problems: list[str], params: dict[str, Any]) -> None:
        with self._lock:
            self._refusals.append(Refusal(method, error, tuple(problems), copy.deepcopy(params)))
            self._changed.notify_all()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` were recorded; return all of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = ", ".join(_describe(c) for c in self._calls[-20:]) or "none"
                    raise AssertionError(
                        f"waited {timeout}s for {count} {method!r} call(s) but got {len(found)};"
                        f" last calls recorded: {seen}"
                    )
                self._changed.wait(remaining)

    def posted_messages(self) -> list[dict[str, Any]]:
        """Params of chat.postMessage calls that succeeded (injected failures left out)."""
        return [c.params for c in self.calls("chat.postMessage") if c.ok]

    def response_url_posts(self) -> list[dict[str, Any]]:
        """JSON bodies posted to response_urls that succeeded."""
        return [c.params for c in self.calls("response_url") if c.ok]

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``status`` 200 answers ``{"ok": false, "error": error}``; any other status answers that
        HTTP status (a 429 always carries Retry-After, 1 unless given, as Slack's do).
        ``method`` may also be "upload" (the file upload URL) or "response_url".
        Queued faults are used in the order they were added.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if status == 200 and not error:
            raise ValueError("a 200 answer needs an error code, e.g. error='account_inactive'")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault(error=error, status=status, retry_after=retry_after, remaining=times)
            )

    def delay(self, method: str, seconds: float) -> None:
        """Hold every answer to ``method`` for ``seconds`` (0 removes the delay)."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()

    # -- HTTP plumbing -------------------------------------------------------------------------

    def _serve(self, http_method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        arrived = time.monotonic()
        parts = urlsplit(target)
        route, _, rest = parts.path.lstrip("/").partition("/")
        if route == "api" and rest:
            return self._serve_api(rest, parts.query, headers, body, arrived)
        if route == "upload" and rest and http_method == "POST":
            return self._serve_upload(rest, body, arrived)
        if route == "response" and http_method == "POST":
            return self._serve_response_url(body, arrived)
        return _text_reply(404, "not found")

    def _serve_api(
        self, method: str, query: str, headers: dict[str, str], body: bytes, arrived: float
    ) -> _Reply:
        params: dict[str, Any] = {}
        bad_body: str | None = None
        try:
            params = _decode_params(headers.get("content-type", ""), body, query)
        except _SlackError as exc:
            bad_body = exc.error
        token = _bearer_token(headers.get("authorization")) or _str_or_none(params.get("token"))

        def answer() -> _Reply:
            if bad_body is not None:
                return _json_reply({"ok": False, "error": bad_body})
            if not token:
                return _json_reply({"ok": False, "error": "not_authed"})
            if not token.startswith(("xox", "xapp-")):
                return _json_reply({"ok": False, "error": "invalid_auth"})
            # Socket Mode's connection is opened with the app-level token, and only with it.
            if token.startswith("xapp-") != (method in APP_TOKEN_METHODS):
                return _json_reply({"ok": False, "error": "not_allowed_token_type"})
            refused = self._check_payload(method, params)
            if refused is not None:
                return refused
            stub = self._stubs.get(method)
            if stub is not None:
                return _json_reply({"ok": True, **copy.deepcopy(stub)})
            handler = self._api.get(method)
            if handler is None:
                return _json_reply({"ok": False, "error": "unknown_method", "req_method": method})
            try:
                return _json_reply({"ok": True, **handler(params)})
            except _SlackError as exc:
                return _json_reply({"ok": False, "error": exc.error})

        def scoped() -> _Reply:
            reply = answer()
            if token and token.startswith("xoxb-"):
                reply.headers["x-oauth-scopes"] = ",".join(self.scopes)
            return reply

        return self._answer(method, params, token, arrived, scoped)

    def _serve_upload(self, file_id: str, body: bytes, arrived: float) -> _Reply:
        def answer() -> _Reply:
            upload = self._files.get(file_id)
            if upload is None:
                return _text_reply(404, "file not found", "file_not_found")
            upload.content = body
            return _text_reply(200, f"OK - {len(body)}")

        params = {"file_id": file_id, "length": len(body)}
        return self._answer("upload", params, None, arrived, answer)

    def _serve_response_url(self, body: bytes, arrived: float) -> _Reply:
        params: dict[str, Any] = {}
        valid = True
        try:
            decoded = json.loads(body) if body else {}
            if isinstance(decoded, dict):
                params = decoded
            else:
                valid = False
        except ValueError:
            valid = False

        def answer() -> _Reply:
            if not valid:
                return _text_reply(400, "invalid_payload", "invalid_payload")
            # Slack answers a response_url post it refuses with a 400 and the bare error code.
            refused = message_refusal(params)
            if refused is not None:
                error, problems = refused
                self._refuse("response_url", error, problems, params)
                return _text_reply(400, error, error)
            return _text_reply(200, "ok")

        return self._answer("response_url", params, None, arrived, answer)

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        arrived: float,
        answer: Callable[[], _Reply],
    ) -> _Reply:
        with self._lock:
            fault = self._take_fault(method)
            reply = fault.reply() if fault is not None else answer()
            self._calls.append(Call(method, params, arrived, reply.status, reply.error, token))
            self._changed.notify_all()
            return dataclasses.replace(reply, delay=self._delays.get(method, 0.0))

    def _check_payload(self, method: str, params: dict[str, Any]) -> _Reply | None:
        """Slack's answer when the message or view of ``method`` breaks Block Kit's rules."""
        if method in MESSAGE_METHODS:
            refused = message_refusal(params)
            if refused is None:
                return None
            error, problems = refused
            self._refuse(method, error, problems, params)
            answer: dict[str, Any] = {"ok": False, "error": error}
            if error == "invalid_blocks":
                answer["errors"] = problems
                answer["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in problems]}
            return _json_reply(answer)
        if method in VIEW_METHODS and "view" in params:
            problems = view_problems(params["view"])
            if not problems:
                return None
            self._refuse(method, "invalid_arguments", problems, params)
            messages = [f"[ERROR] {p}" for p in problems]
            return _json_reply(
                {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {"messages": messages},
                }
            )
        return None

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    # -- Web API methods (called with the lock held) -------------------------------------------

    def _next_ts(self) -> str:
        micros = _TS_EPOCH_MICROS + 100 * next(self._ts_steps)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _conversation_for(self, channel: str) -> str:
        # Posting to a user id lands in the bot's DM with them, as on Slack.
        if channel.startswith(("U", "W")):
            return "D" + channel
        if channel.startswith("#"):
            for known in self._channels.values():
                if known["name"] == channel[1:]:
                    return str(known["id"])
            raise _SlackError("channel_not_found")
        return channel

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": str(params.get("text") or ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        for name in ("blocks", "attachments"):
            if params.get(name):
                message[name] = _maybe_json(params[name])
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
        return message

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _require(params, "user", error="user_not_found")
        user = self._users.get(user_id)
        if user is None:
            raise _SlackError("user_not_found")
        answer = copy.deepcopy(user)
        if _truthy(params.get("include_locale")):
            answer["locale"] = self._locales[user_id]
        if not self.custom_fields_in_users_info:
            answer["profile"]["fields"] = {}
        return {"user": answer}

    def _users_profile_get(self, params: dict[str, Any]) -> dict[str, Any]:
        # Without a user it is the token's own profile: the bot's, here.
        user_id = _str_or_none(params.get("user")) or self.bot_user_id
        user = self._users.get(user_id)
        if user is None:
            raise _SlackError("user_not_found")
        profile = copy.deepcopy(user["profile"])
        if _truthy(params.get("include_labels")):
            labels = {f["id"]: f["label"] for f in self._profile_fields}
            for field_id, entry in profile["fields"].items():
                entry["label"] = labels.get(field_id, "")
        return {"profile": profile}

    def _team_profile_get(self, params: dict[str, Any]) -> dict[str, Any]:
        visibility = _str_or_none(params.get("visibility")) or "all"
        if visibility not in ("all", "visible", "hidden"):
            raise _SlackError("invalid_visibility")
        fields = [
            copy.deepcopy(f)
            for f in self._profile_fields
            if visibility == "all" or f["is_hidden"] == (visibility == "hidden")
        ]
        return {"profile": {"fields": fields}}

    def _users_conversations(self, params: dict[str, Any]) -> dict[str, Any]:
        # Membership is modelled for the bot only (add_channel's is_member); other people
        # are members of nothing here.
        user_id = _str_or_none(params.get("user")) or self.bot_user_id
        if user_id not in self._users:
            raise _SlackError("user_not_found")
        types = set(_csv(params.get("types")) or ["public_channel"])
        if not types <= {"public_channel", "private_channel", "mpim", "im"}:
            raise _SlackError("invalid_types")
        try:
            limit = int(params.get("limit") or 100)
        except ValueError as exc:
            raise _SlackError("invalid_limit") from exc
        limit = min(max(limit, 1), 1000)
        exclude_archived = _truthy(params.get("exclude_archived"))
        matching = [
            channel
            for channel in self._channels.values()
            if user_id == self.bot_user_id
            and channel["is_member"]
            and ("private_channel" if channel["is_private"] else "public_channel") in types
            and not (exclude_archived and channel["is_archived"])
        ]
        start = 0
        cursor = _str_or_none(params.get("cursor"))
        if cursor is not None:
            ids = [str(channel["id"]) for channel in matching]
            after = _decode_cursor(cursor)
            if after not in ids:
                raise _SlackError("invalid_cursor")
            start = ids.index(after)
        page = matching[start : start + limit]
        rest = matching[start + limit : start + limit + 1]
        return {
            "channels": copy.deepcopy(page),
            "response_metadata": {"next_cursor": _encode_cursor(rest[0]["id"]) if rest else ""},
        }

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        # Newest first between oldest and latest (both exclusive unless inclusive), as Slack.
        channel_id = _require(params, "channel", error="channel_not_found")
        if channel_id not in self._channels and channel_id not in self._history:
            raise _SlackError("channel_not_found")
        if channel_id in self._channels and not self._channels[channel_id]["is_member"]:
            raise _SlackError("not_in_channel")
        newest_first = sorted(
            self._history.get(channel_id, {}).values(), key=lambda m: float(m["ts"]), reverse=True
        )
        oldest, latest = _float_param(params, "oldest", 0.0), _float_param(params, "latest", 0.0)
        inclusive = _truthy(params.get("inclusive"))
        cursor = _str_or_none(params.get("cursor"))
        below = float(_decode_ts_cursor(cursor)) if cursor else None
        matching = [
            m
            for m in newest_first
            if (float(m["ts"]) >= oldest if inclusive else float(m["ts"]) > oldest)
            and (not latest or (float(m["ts"]) <= latest if inclusive else float(m["ts"]) < latest))
            and (below is None or float(m["ts"]) <= below)
        ]
        return self._page("messages", matching, params)

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        # The parent first on every page, then its replies oldest first, as Slack.
        channel_id = _require(params, "channel", error="channel_not_found")
        ts = _require(params, "ts", error="thread_not_found")
        parent = self._history.get(channel_id, {}).get(ts)
        if parent is None:
            raise _SlackError("thread_not_found")
        cursor = _str_or_none(params.get("cursor"))
        after = float(_decode_ts_cursor(cursor)) if cursor else None
        replies = [
            r
            for r in self._threads.get((channel_id, ts), [])
            if after is None or float(r["ts"]) >= after
        ]
        page = self._page("messages", replies, params)
        page["messages"].insert(0, copy.deepcopy(parent))
        return page

    def _page(
        self, key: str, items: list[dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            limit = int(params.get("limit") or 100)
        except ValueError as exc:
            raise _SlackError("invalid_limit") from exc
        limit = min(max(limit, 1), 999)
        page, rest = items[:limit], items[limit:]
        return {
            key: copy.deepcopy(page),
            "has_more": bool(rest),
            "response_metadata": {"next_cursor": _encode_ts_cursor(rest[0]["ts"]) if rest else ""},
        }

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = _require(params, "channel", error="channel_not_found")
        channel = self._channels.get(channel_id)
        if channel is not None:
            return {"channel": copy.deepcopy(channel)}
        user_id = channel_id[1:]
        if channel_id.startswith("D") and user_id in self._users:
            im = {
                "id": channel_id,
                "created": 1_700_000_000,
                "is_im": True,
                "is_org_shared": False,
                "user": user_id,
                "is_user_deleted": self._users[user_id]["deleted"],
            }
            return {"channel": im}
        raise _SlackError("channel_not_found")

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            channel_id = str(params["channel"])
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        users = _csv(params.get("users"))
        if not users:
            raise _SlackError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = "D" + users[0]
        else:
            digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()
            channel_id = "G" + digest[:10].upper()
        return {"channel": {"id": channel_id}}

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation_for(_require(params, "channel", error="channel_not_found"))
        if not any(params.get(name) for name in ("text", "blocks", "attachments")):
            raise _SlackError("no_text")
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._bot_message(params, ts)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "channel", error="channel_not_found")
        _require(params, "user", error="user_not_found")
        if not any(params.get(name) for name in ("text", "blocks", "attachments")):
            raise _SlackError("no_text")
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation_for(_require(params, "channel", error="channel_not_found"))
        ts = _require(params, "ts", error="message_not_found")
        message = self._bot_message(params, ts)
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _require(params, "channel", error="channel_not_found")
        ts = _require(params, "message_ts", error="message_not_found")
        permalink = (
            f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        )
        return {"channel": channel, "permalink": permalink}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _require(params, "user_id", error="invalid_arguments")
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError as exc:
                raise _SlackError("invalid_arguments") from exc
        if not isinstance(view, dict) or view.get("type") != "home":
            raise _SlackError("invalid_arguments")
        previous = self._home_views.get(user_id)
        # Slack keeps one Home view per user, so republishing reuses its id.
        view_id = previous["id"] if previous is not None else self._new_id("V")
        published: dict[str, Any] = {
            "team_id": self.team_id,
            "type": "home",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            **copy.deepcopy(view),
        }
        published["id"] = view_id
        published["hash"] = f"{time.time():.6f}.{view_id}"
        self._home_views[user_id] = published
        return {"view": copy.deepcopy(published)}

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = _require(params, "filename", error="invalid_arguments")
        try:
            length = int(_require(params, "length", error="invalid_arguments"))
        except ValueError as exc:
            raise _SlackError("invalid_arguments") from exc
        file_id = self._new_id("F")
        self._files[file_id] = UploadedFile(id=file_id, filename=filename, length=length)
        return {"upload_url": f"{self.url_root}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        items = params.get("files")
        if isinstance(items, str):
            try:
                items = json.loads(items)
            except ValueError as exc:
                raise _SlackError("invalid_arguments") from exc
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments")
        channel_id = _str_or_none(params.get("channel_id"))
        channels = [channel_id] if channel_id else _csv(params.get("channels"))
        completed = []
        for item in items:
            upload = self._files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if upload is None or upload.content is None:
                raise _SlackError("file_not_found")
            completed.append((upload, item))
        answer = []
        for upload, item in completed:
            upload.title = _str_or_none(item.get("title")) or upload.filename
            upload.channels = list(channels)
            upload.initial_comment = _str_or_none(params.get("initial_comment"))
            upload.thread_ts = _str_or_none(params.get("thread_ts"))
            upload.completed = True
            answer.append(
                {
                    "id": upload.id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.content or b""),
                    "user": self.bot_user_id,
                    "channels": list(channels),
                    "permalink": (
                        f"https://{self.team_domain}.slack.com/files/"
                        f"{self.bot_user_id}/{upload.id}/{upload.filename}"
                    ),
                }
            )
        return {"files": answer}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog of 5 would make the
    # kernel drop SYNs and add one-second retransmit stalls to the measurements.
    request_queue_size = 128

    def __init__(self, standin: StandinSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "StandinSlack/1.0"

    def do_GET(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def log_message(self, format: str, *args: Any) -> None:
        # calls() is the record; access logs would only bury test output.
        return

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        standin = self.server.standin
        reply = standin._serve(self.command, self.path, headers, body)
        if reply.delay > 0:
            standin._stopping.wait(reply.delay)
        # A client that timed out on a delayed answer has hung up; that is its business.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)


def _decode_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    mime = content_type.partition(";")[0].strip().lower()
    if mime == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise _SlackError("invalid_json") from exc
        if not isinstance(decoded, dict):
            raise _SlackError("invalid_json")
        params.update(decoded)
    elif mime == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    else:
        params.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return params


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message: Message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        # File parts keep their bytes; plain fields read like form values.
        fields[name] = data if part.get_filename() else data.decode("utf-8", errors="replace")
    return fields


APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _require(params: dict[str, Any], name: str, *, error: str) -> str:
    value = _str_or_none(params.get(name))
    if value is None:
        raise _SlackError(error)
    return value


def _truthy(value: Any) -> bool:
    return value is True or value == 1 or str(value).lower() in ("1", "true")


def _csv(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if not value:
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _encode_cursor(channel_id: str) -> str:
    # Slack's cursors are opaque base64 ("dGVhbTpDMDYxRkE1UEI="); this one names the next id.
    return base64.b64encode(f"channel:{channel_id}".encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
    except ValueError:
        return ""
    return decoded.removeprefix("channel:")


def _encode_ts_cursor(ts: str) -> str:
    # Slack's history cursors decode to "next_ts:<ts without the dot>"; this one keeps the dot.
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_ts_cursor(cursor: str) -> str:
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
        float(decoded.removeprefix("next_ts:"))
    except ValueError:
        raise _SlackError("invalid_cursor") from None
    return decoded.removeprefix("next_ts:")


def _float_param(params: dict[str, Any], name: str, default: float) -> float:
    raw = _str_or_none(params.get(name))
    try:
        return float(raw) if raw else default
    except ValueError:
        raise _SlackError(f"invalid_{name}") from None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _field_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Custom field values as Slack shapes them: ``{id: {"value": …, "alt": …}}``, empty ones
    left out."""
    out: dict[str, Any] = {}
    for field_id, entry in fields.items():
        value = entry if isinstance(entry, dict) else {"value": str(entry), "alt": ""}
        if value.get("value"):
            out[field_id] = copy.deepcopy(value)
    return out


def _normalize(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tz_label(tz: str, offset: int) -> str:
    if tz in _TZ_LABELS:
        return _TZ_LABELS[tz]
    sign_char = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"UTC{sign_char}{hours:02d}:{minutes:02d}"


def _describe(call: Call) -> str:
    return call.method if call.ok else f"{call.method} ({call.status} {call.error})"


# -- playing Slack towards the app -------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with ``body``: v0 HMAC-SHA256 over ``v0:{timestamp}:{body}``."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


_sign = sign  # SlackToApp.post_raw has a ``sign`` flag that shadows the function.


@dataclass(frozen=True)
class Response:
    """What the app answered; header names are lower-cased."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class SlackToApp:
    """Sends what Slack would send to the app's request URL (``base_url``, e.g. /slack/events)."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        standin: StandinSlack | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url
        self.signing_secret = signing_secret
        self.standin = standin
        self.timeout = timeout

    @property
    def _bot_user_id(self) -> str:
        return self.standin.bot_user_id if self.standin is not None else "UKRING"

    @property
    def _app_id(self) -> str:
        return self.standin.app_id if self.standin is not None else "A0001"

    def post_raw(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign: bool = True,
        timestamp: int | None = None,
    ) -> Response:
        """POST ``body``; ``headers`` win over the computed ones, so tests can forge them."""
        sent = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            sent.update(_sign(self.signing_secret, body, timestamp))
        sent.update(headers or {})
        request = urllib.request.Request(self.base_url, data=body, headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                response = Response(
                    answer.status, _lower_headers(answer.headers.items()), answer.read()
                )
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, _lower_headers(exc.headers.items()), exc.read())
        if self.standin is not None and response.status == 200:
            # Slack shows the app's answer to a command or click; it checks it as a message.
            self.standin.check_ack(response.body)
        return response

    def post_event(
        self,
        event: dict[str, Any],
        *,
        team_id: str = "T0001",
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        headers: dict[str, str] | None = None,
    ) -> Response:
        envelope = {
            "token": "kring-verification-token",
            "team_id": team_id,
            "api_app_id": self._app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id if event_id is not None else new_event_id(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": self._bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
            extra["X-Slack-Retry-Reason"] = retry_reason
        extra.update(headers or {})
        return self.post_raw(json.dumps(envelope).encode(), "application/json", extra)

    def command(
        self,
        text: str,
        *,
        user_id: str = "U0001",
        user_name: str = "ann",
        command: str = "/kring",
        channel_id: str = "C0001",
        team_id: str = "T0001",
        response_url: str | None = None,
        trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
    ) -> Response:
        if response_url is None:
            response_url = (
                self.standin.new_response_url()
                if self.standin is not None
                else "https://hooks.slack.com/commands/T0001/1/standin"
            )
        form = {
            "token": "kring-verification-token",
            "team_id": team_id,
            "team_domain": self.standin.team_domain if self.standin is not None else "kring-test",
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self._app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.post_raw(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def action(self, payload: dict[str, Any]) -> Response:
        """Any interactivity payload (block_actions, view_submission ...), form-encoded."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post_raw(body, "application/x-www-form-urlencoded")

    def url_verification(self, challenge: str) -> Response:
        body = {
            "token": "kring-verification-token",
            "challenge": challenge,
            "type": "url_verification",
        }
        return self.post_raw(json.dumps(body).encode(), "application/json")

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        if self.standin is not None:
            with self.standin._lock:
                known = self.standin._channels.get(channel_id)
            if known is not None:
                return str(known["name"])
        return "general"


def new_event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:12].upper()


def _lower_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}
