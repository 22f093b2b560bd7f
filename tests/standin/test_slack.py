"""The stand-in Slack must look like Slack to the real slack_sdk client, or e2e tests lie."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from standin.slack import SlackToApp, StandinSlack, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def standin() -> Iterator[StandinSlack]:
    with StandinSlack() as slack:
        slack.add_user(
            "U0001",
            "ann",
            real_name="Ann Émile",
            title="Engineer",
            locale="nl-NL",
            fields={"Xf01": {"value": "Team Kring", "alt": ""}},
        )
        slack.add_channel("C0001", "general")
        slack.add_channel("C0002", "secret-club", is_private=True)
        yield slack


@pytest.fixture
def client(standin: StandinSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.url)


def test_url_is_an_api_base_on_localhost(standin: StandinSlack) -> None:
    assert standin.url.startswith("http://127.0.0.1:")
    assert standin.url.endswith("/api/")


def test_auth_test_identifies_the_kring_bot(client: WebClient, standin: StandinSlack) -> None:
    answer = client.auth_test()

    assert answer["ok"] is True
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "UKRING", "BKRING")
    assert answer["user"] == "kring"
    assert standin.calls("auth.test")[0].token == "xoxb-test"


def test_calls_without_a_token_are_not_authed(standin: StandinSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=standin.url).auth_test()

    assert raised.value.response["error"] == "not_authed"


def test_socket_mode_connection_needs_the_app_level_token(standin: StandinSlack) -> None:
    standin.stub("apps.connections.open", {"url": "ws://127.0.0.1:1/link"})
    with pytest.raises(SlackApiError) as refused:
        WebClient(token="xoxb-bot", base_url=standin.url).apps_connections_open(
            app_token="xoxb-bot"
        )
    assert refused.value.response["error"] == "not_allowed_token_type"
    app = WebClient(token="xapp-1-A0001-1-app", base_url=standin.url)
    assert app.apps_connections_open(app_token="xapp-1-A0001-1-app")["url"].startswith("ws://")
    with pytest.raises(SlackApiError) as wrong:
        app.chat_postMessage(channel="C0001", text="hi")
    assert wrong.value.response["error"] == "not_allowed_token_type"


def test_users_info_returns_slack_shaped_user_and_locale_only_on_request(
    client: WebClient,
) -> None:
    plain = client.users_info(user="U0001")["user"]
    with_locale = client.users_info(user="U0001", include_locale=True)["user"]

    assert "locale" not in plain
    assert with_locale["locale"] == "nl-NL"
    assert plain["tz"] == "Europe/Amsterdam"
    assert plain["tz_offset"] == 3600
    assert plain["profile"]["title"] == "Engineer"
    assert plain["profile"]["real_name_normalized"] == "Ann Emile"
    assert plain["profile"]["display_name"] == ""
    assert plain["profile"]["fields"]["Xf01"]["value"] == "Team Kring"


def test_user_is_the_object_users_info_sends_and_a_copy(
    client: WebClient, standin: StandinSlack
) -> None:
    user = standin.user("U0001")

    assert user == client.users_info(user="U0001")["user"]
    assert user is not None
    user["profile"]["title"] = "changed"
    assert client.users_info(user="U0001")["user"]["profile"]["title"] == "Engineer"
    assert standin.user("UNOBODY") is None


def test_users_info_for_unknown_user_raises_user_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="UNOBODY")

    assert raised.value.response["error"] == "user_not_found"


def test_conversations_info_knows_added_channels_only(client: WebClient) -> None:
    channel = client.conversations_info(channel="C0002")["channel"]

    assert (channel["name"], channel["is_private"], channel["is_member"]) == (
        "secret-club",
        True,
        True,
    )
    with pytest.raises(SlackApiError) as raised:
        client.conversations_info(channel="C9999")
    assert raised.value.response["error"] == "channel_not_found"


def test_users_conversations_lists_the_bots_channels_page_by_page(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.add_channel("C0003", "random")
    standin.add_channel("C0004", "elsewhere", is_member=False)
    standin.add_channel("C0005", "old", is_archived=True)

    first = client.users_conversations(types="public_channel", exclude_archived=True, limit=1)
    cursor = first["response_metadata"]["next_cursor"]
    second = client.users_conversations(
        types="public_channel", exclude_archived=True, limit=1, cursor=cursor
    )

    assert [c["id"] for c in first["channels"]] == ["C0001"]
    assert [c["id"] for c in second["channels"]] == ["C0003"]
    assert second["response_metadata"]["next_cursor"] == ""
    everything = client.users_conversations(types="public_channel,private_channel")
    assert [c["id"] for c in everything["channels"]] == ["C0001", "C0002", "C0003", "C0005"]
    assert standin.calls("users.conversations")[0].params["exclude_archived"] in ("1", "true")
    with pytest.raises(SlackApiError) as raised:
        client.users_conversations(cursor="bm90LWEtY3Vyc29y")
    assert raised.value.response["error"] == "invalid_cursor"


def test_post_message_is_recorded_and_wait_for_sees_it_from_another_thread(
    client: WebClient, standin: StandinSlack
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hoi"}}]
    poster = threading.Timer(
        0.1, lambda: client.chat_postMessage(channel="C0001", text="hoi", blocks=blocks)
    )
    poster.start()

    calls = standin.wait_for("chat.postMessage", timeout=5)
    poster.join()

    assert calls[0].params["channel"] == "C0001"
    assert calls[0].json("blocks") == blocks
    assert standin.posted_messages()[0]["channel"] == "C0001"


def test_post_message_timestamps_increase_and_user_ids_land_in_dms(client: WebClient) -> None:
    first = client.chat_postMessage(channel="C0001", text="one")
    second = client.chat_postMessage(channel="U0001", text="two")

    assert first["ts"] < second["ts"]
    assert first["ts"].count(".") == 1
    assert second["channel"] == "DU0001"
    assert second["message"]["text"] == "two"


def test_wait_for_times_out_with_a_helpful_message(standin: StandinSlack) -> None:
    with pytest.raises(AssertionError, match=r"1 'chat\.postMessage' call\(s\) but got 0"):
        standin.wait_for("chat.postMessage", timeout=0.1)


def test_json_bodies_and_get_query_params_are_decoded(
    client: WebClient, standin: StandinSlack
) -> None:
    client.api_call("chat.postMessage", json={"channel": "C0001", "text": "json"})
    client.api_call("users.info", http_verb="GET", params={"user": "U0001"})

    assert standin.calls("chat.postMessage")[0].params == {"channel": "C0001", "text": "json"}
    assert standin.calls("users.info")[0].params == {"user": "U0001"}


def test_message_helpers_answer_like_slack(client: WebClient) -> None:
    ephemeral = client.chat_postEphemeral(channel="C0001", user="U0001", text="psst")
    updated = client.chat_update(channel="C0001", ts="1700000000.000100", text="new")
    link = client.chat_getPermalink(channel="C0001", message_ts="1700000000.000100")
    dm = client.conversations_open(users="U0001")

    assert ephemeral["message_ts"]
    assert (updated["channel"], updated["ts"]) == ("C0001", "1700000000.000100")
    assert link["permalink"] == "https://kring-test.slack.com/archives/C0001/p1700000000000100"
    assert dm["channel"]["id"] == "DU0001"


def test_views_publish_keeps_one_home_view_per_user(
    client: WebClient, standin: StandinSlack
) -> None:
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    first = client.views_publish(user_id="U0001", view=view)
    second = client.views_publish(user_id="U0001", view=view)

    assert first["view"]["id"] == second["view"]["id"]
    assert standin.home_view("U0001") == second["view"]
    assert standin.calls("views.publish")[0].json("view") == view


def test_unknown_method_answers_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("nope.nothing")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "unknown_method"


def test_stub_answers_methods_the_standin_does_not_model(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.stub("team.info", {"team": {"id": "T0001", "name": "Kring Test"}})

    assert client.team_info()["team"]["name"] == "Kring Test"


def test_rate_limited_call_is_retried_after_retry_after_and_succeeds(
    standin: StandinSlack,
) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=standin.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    standin.fail_next("chat.postMessage", status=429, retry_after=1)

    answer = client.chat_postMessage(channel="C0001", text="eventually")

    limited, retried = standin.calls("chat.postMessage")
    assert answer["ok"] is True
    assert (limited.status, limited.error) == (429, "ratelimited")
    assert retried.ok
    assert retried.time - limited.time >= 1.0
    assert len(standin.posted_messages()) == 1


def test_injected_error_answers_ok_false_for_the_given_number_of_calls(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.fail_next("users.info", error="account_inactive", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.users_info(user="U0001")
        assert raised.value.response["error"] == "account_inactive"
    assert client.users_info(user="U0001")["ok"] is True


def test_injected_server_error_surfaces_as_its_status(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.fail_next("chat.postMessage", status=503)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0001", text="down")

    assert raised.value.response.status_code == 503
    assert standin.posted_messages() == []


def test_delay_holds_the_answer(client: WebClient, standin: StandinSlack) -> None:
    standin.delay("auth.test", 0.3)
    started = time.monotonic()

    client.auth_test()

    assert time.monotonic() - started >= 0.3


def test_files_upload_v2_stores_content_and_shares_it(
    client: WebClient, standin: StandinSlack
) -> None:
    answer = client.files_upload_v2(
        channel="C0001",
        content="week,posts\n1,3\n",
        filename="digest.csv",
        title="Digest",
        initial_comment="here you go",
    )

    (uploaded,) = standin.uploaded_files()
    assert answer["file"]["id"] == uploaded.id
    assert uploaded.content == b"week,posts\n1,3\n"
    assert (uploaded.title, uploaded.channels) == ("Digest", ["C0001"])
    assert uploaded.initial_comment == "here you go"
    assert standin.calls("files.completeUploadExternal")[0].json("files")[0]["id"] == uploaded.id


def test_response_url_posts_are_recorded(standin: StandinSlack) -> None:
    url = standin.new_response_url()

    WebhookClient(url).send(text="done", response_type="ephemeral")

    assert standin.response_url_posts() == [{"text": "done", "response_type": "ephemeral"}]


def test_sign_matches_slack_sdk_signature_verifier() -> None:
    body = b'{"type":"event_callback"}'
    now = int(time.time())

    headers = sign(SECRET, body, now)

    verifier = SignatureVerifier(SECRET)
    assert headers["X-Slack-Request-Timestamp"] == str(now)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)


class _AppDouble:
    """Stands in for Kring's request URL: verifies signatures as Bolt does and records requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                double.requests.append((headers, body))
                valid = SignatureVerifier(SECRET).is_valid_request(body, headers)
                answer = json.dumps({"signed": valid}).encode()
                self.send_response(200 if valid else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def app_double() -> Iterator[_AppDouble]:
    double = _AppDouble()
    yield double
    double.close()


def test_post_event_sends_a_signed_envelope_with_retry_headers(app_double: _AppDouble) -> None:
    slack = SlackToApp(app_double.url, SECRET)
    event = {"type": "app_mention", "user": "U0001", "text": "<@UKRING> hi", "ts": "1.2"}

    first = slack.post_event(event)
    retry = slack.post_event(event, event_id="Ev42", retry_num=1)

    assert (first.status, first.json()) == (200, {"signed": True})
    assert retry.status == 200
    (_, first_body), (retry_headers, retry_body) = app_double.requests
    envelope = json.loads(first_body)
    assert envelope["type"] == "event_callback"
    assert envelope["event"] == event
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "UKRING"
    assert json.loads(retry_body)["event_id"] == "Ev42"
    assert retry_headers["x-slack-retry-num"] == "1"
    assert retry_headers["x-slack-retry-reason"] == "http_timeout"


def test_unsigned_or_stale_requests_come_back_as_plain_responses(app_double: _AppDouble) -> None:
    slack = SlackToApp(app_double.url, SECRET)

    unsigned = slack.post_raw(b"{}", "application/json", sign=False)
    stale = slack.post_raw(b"{}", "application/json", timestamp=int(time.time()) - 3600)

    assert (unsigned.status, stale.status) == (401, 401)
    assert unsigned.headers["content-type"] == "application/json"


def test_command_posts_slack_form_with_a_standin_response_url(
    app_double: _AppDouble, standin: StandinSlack
) -> None:
    slack = SlackToApp(app_double.url, SECRET, standin)

    answer = slack.command("digest now", user_id="U0001")

    assert answer.status == 200
    headers, body = app_double.requests[0]
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert (form["command"], form["text"], form["channel_name"]) == (
        "/kring",
        "digest now",
        "general",
    )
    assert form["response_url"].startswith(f"{standin.url_root}/response/")
    request = urllib.request.Request(
        form["response_url"],
        data=b'{"text": "on it"}',
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert reply.status == 200
    assert standin.response_url_posts() == [{"text": "on it"}]


def test_action_and_url_verification_use_slack_encodings(app_double: _AppDouble) -> None:
    slack = SlackToApp(app_double.url, SECRET)
    payload = {"type": "block_actions", "actions": [{"action_id": "kudos"}]}

    slack.action(payload)
    slack.url_verification("abc123")

    (_, action_body), (_, challenge_body) = app_double.requests
    assert json.loads(parse_qs(action_body.decode())["payload"][0]) == payload
    assert json.loads(challenge_body) == {
        "token": "kring-verification-token",
        "challenge": "abc123",
        "type": "url_verification",
    }


def test_team_profile_get_lists_the_custom_fields_slack_style(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.add_profile_field("Xf01", "Team")
    standin.add_profile_field(
        "Xf02", "Afdeling", field_type="options_list", possible_values=["Finance", "Sales"]
    )
    standin.add_profile_field("Xf03", "Badge number", is_hidden=True)
    fields = client.team_profile_get()["profile"]["fields"]
    assert [(f["id"], f["label"], f["ordering"]) for f in fields] == [
        ("Xf01", "Team", 0),
        ("Xf02", "Afdeling", 1),
        ("Xf03", "Badge number", 2),
    ]
    assert fields[1]["type"] == "options_list"
    assert fields[1]["possible_values"] == ["Finance", "Sales"]
    assert fields[0]["possible_values"] is None and fields[0]["options"] is None
    visible = client.team_profile_get(visibility="visible")["profile"]["fields"]
    assert [f["id"] for f in visible] == ["Xf01", "Xf02"]
    hidden = client.team_profile_get(visibility="hidden")["profile"]["fields"]
    assert [f["id"] for f in hidden] == ["Xf03"]


def test_users_profile_get_answers_custom_field_values(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.add_profile_field("Xf01", "Team")
    profile = client.users_profile_get(user="U0001")["profile"]
    assert profile["title"] == "Engineer"
    assert profile["fields"] == {"Xf01": {"value": "Team Kring", "alt": ""}}
    labelled = client.users_profile_get(user="U0001", include_labels=True)["profile"]
    assert labelled["fields"]["Xf01"]["label"] == "Team"
    standin.set_profile_field("U0001", "Xf01", "")  # emptied: Slack leaves it out
    assert client.users_profile_get(user="U0001")["profile"]["fields"] == {}
    with pytest.raises(SlackApiError) as raised:
        client.users_profile_get(user="UNOBODY")
    assert raised.value.response["error"] == "user_not_found"


def test_users_info_can_leave_custom_field_values_out(
    client: WebClient, standin: StandinSlack
) -> None:
    standin.custom_fields_in_users_info = False
    assert client.users_info(user="U0001")["user"]["profile"]["fields"] == {}
    user = standin.user("U0001")
    assert user is not None
    assert user["profile"]["fields"]["Xf01"]["value"] == "Team Kring"


def test_history_pages_newest_first_with_a_cursor_and_replies_repeat_the_parent(
    standin: StandinSlack, client: WebClient
) -> None:
    standin.add_channel("C0HIST", "hist")
    for i in range(1, 6):
        standin.add_message("C0HIST", {"user": "U0ANN", "text": f"m{i}", "ts": f"{i}00.000000"})
    standin.add_message(
        "C0HIST", {"user": "U0BOB", "text": "r1", "ts": "250.0", "thread_ts": "200.000000"}
    )
    first = client.conversations_history(channel="C0HIST", oldest="100.000000", limit=2)
    assert [m["text"] for m in first["messages"]] == ["m5", "m4"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(
        channel="C0HIST", oldest="100.000000", limit=2, cursor=cursor
    )
    assert [m["text"] for m in rest["messages"]] == ["m3", "m2"]
    assert rest["messages"][1]["reply_count"] == 1
    # oldest is exclusive, as on Slack: m1 (ts 100) is not listed.
    assert rest["has_more"] is False and rest["response_metadata"]["next_cursor"] == ""
    replies = client.conversations_replies(channel="C0HIST", ts="200.000000", limit=1)
    assert [m["text"] for m in replies["messages"]] == ["m2", "r1"]
    assert replies["has_more"] is False
