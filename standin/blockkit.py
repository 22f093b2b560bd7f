"""What Slack refuses in Block Kit, for the stand-in Slack (:mod:`standin.slack`).

Slack checks every message, Home view and modal it is sent against Block Kit's schema and
answers ``invalid_blocks`` (messages) or ``invalid_arguments`` (views) when something breaks it:
an unknown block or element, an empty text, a text, list or id over its documented limit, or a
``block_id``/``action_id`` used twice. The rules here are Slack's documented limits
(docs.slack.dev, reference/block-kit), written out with the standard library only so that the
stand-in cannot drift along with the SDK Kring builds its blocks with: a limit the SDK forgets
is still caught here. Only what a Slack app commonly sends is modelled; any other block or
element type is refused, as Slack refuses types it does not know.

Lengths are counted in UTF-16 code units, as Slack counts them (an emoji counts twice; see
``ui/text.py``). Each problem is described the way Slack's ``errors`` list does:
``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_VIEW_BLOCKS",
    "Surface",
    "blocks_problems",
    "view_problems",
]

Surface = Literal["message", "home", "modal"]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# A message's top-level text; past it chat.postMessage answers msg_too_long.
MAX_MESSAGE_TEXT = 40_000

_MESSAGE_BLOCKS = frozenset(
    {"section", "header", "context", "divider", "actions", "image", "rich_text", "markdown"}
)
# Input blocks belong in views; a message with one is refused.
_VIEW_BLOCKS = (_MESSAGE_BLOCKS - {"markdown"}) | {"input"}

_SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOICES = frozenset({"checkboxes", "radio_buttons"})
_INPUTS = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
)
# Which elements each place accepts (the "compatible block elements" of each block's page).
_ACTION_ELEMENTS = frozenset({"button", "overflow"}) | _SELECTS | _PICKERS | _CHOICES
_ACCESSORY_ELEMENTS = _ACTION_ELEMENTS | {"image"}
_INPUT_ELEMENTS = _SELECTS | _PICKERS | _CHOICES | _INPUTS


def _len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Checker:
    """Collects the problems of one payload; ``at`` is a JSON pointer into it."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str, at: str) -> None:
        self.problems.append(f"{message} [json-pointer:{at}]")

    # -- scalars ---------------------------------------------------------------------------

    def string(
        self, value: Any, at: str, *, limit: int, required: bool = True, empty: bool = False
    ) -> None:
        if value is None:
            if required:
                self.fail("must provide a string", at)
            return
        if not isinstance(value, str):
            self.fail("must be a string", at)
        elif not empty and value == "":
            self.fail("must be more than 0 characters", at)
        elif _len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", at)

    def array(self, value: Any, at: str, *, most: int, least: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.fail("must provide an array", at)
            return []
        if len(value) < least:
            self.fail(f"must provide at least {least} items", at)
        if len(value) > most:
            self.fail(f"no more than {most} items allowed", at)
        return value

    def obj(self, value: Any, at: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail("must provide an object", at)
            return None
        return value

    # -- composition objects ---------------------------------------------------------------

    def text(
        self, value: Any, at: str, *, limit: int, plain_only: bool = False, required: bool = True
    ) -> None:
        if value is None and not required:
            return
        text = self.obj(value, at)
        if text is None:
            return
        kind = text.get("type")
        if kind not in ("plain_text", "mrkdwn") or (plain_only and kind != "plain_text"):
            wanted = "plain_text" if plain_only else "plain_text or mrkdwn"
            self.fail(f"must be {wanted}", f"{at}/type")
            return
        self.string(text.get("text"), f"{at}/text", limit=limit)
        if kind == "mrkdwn" and "emoji" in text:
            self.fail("emoji is only allowed on plain_text", f"{at}/emoji")

    def option(self, value: Any, at: str, *, text_limit: int = 75) -> None:
        option = self.obj(value, at)
        if option is None:
            return
        self.text(option.get("text"), f"{at}/text", limit=text_limit)
        self.string(option.get("value"), f"{at}/value", limit=150)
        self.text(option.get("description"), f"{at}/description", limit=75, required=False)

    def confirm(self, value: Any, at: str) -> None:
        if value is None:
            return
        confirm = self.obj(value, at)
        if confirm is None:
            return
        self.text(confirm.get("title"), f"{at}/title", limit=100, plain_only=True)
        self.text(confirm.get("text"), f"{at}/text", limit=300)
        self.text(confirm.get("confirm"), f"{at}/confirm", limit=30, plain_only=True)
        self.text(confirm.get("deny"), f"{at}/deny", limit=30, plain_only=True)

    # -- elements --------------------------------------------------------------------------

    def element(self, value: Any, at: str, allowed: frozenset[str]) -> str | None:
        """Checks one element; returns its action_id, if it has one."""
        element = self.obj(value, at)
        if element is None:
            return None
        kind = element.get("type")
        if kind not in allowed:
            self.fail(f"unsupported type: {kind}", f"{at}/type")
            return None
        if kind == "image":
            self.image(element, at, title=False)
            return None
        action_id = element.get("action_id")
        self.string(action_id, f"{at}/action_id", limit=255, required=False)
        self.confirm(element.get("confirm"), f"{at}/confirm")
        if kind == "button":
            self.text(element.get("text"), f"{at}/text", limit=75, plain_only=True)
            self.string(element.get("value"), f"{at}/value", limit=2000, required=False)
            self.string(element.get("url"), f"{at}/url", limit=3000, required=False)
            self.string(
                element.get("accessibility_label"),
                f"{at}/accessibility_label",
                limit=75,
                required=False,
            )
            if element.get("style") not in (None, "primary", "danger"):
                self.fail("must be primary or danger", f"{at}/style")
        elif kind == "overflow":
            for n, option in enumerate(self.array(element.get("options"), f"{at}/options", most=5)):
                self.option(option, f"{at}/options/{n}")
        elif kind in _CHOICES:
            for n, option in enumerate(
                self.array(element.get("options"), f"{at}/options", most=10)
            ):
                self.option(option, f"{at}/options/{n}", text_limit=2000)
        else:
            self.text(
                element.get("placeholder"),
                f"{at}/placeholder",
                limit=150,
                plain_only=True,
                required=False,
            )
            if kind in ("static_select", "multi_static_select"):
                self.select_options(element, at)
        return action_id if isinstance(action_id, str) else None

    def select_options(self, element: dict[str, Any], at: str) -> None:
        if "option_groups" in element:
            groups = self.array(element["option_groups"], f"{at}/option_groups", most=100)
            for g, group in enumerate(groups):
                if isinstance(group, dict):
                    options = self.array(
                        group.get("options"), f"{at}/option_groups/{g}/options", most=100
                    )
                    for n, option in enumerate(options):
                        self.option(option, f"{at}/option_groups/{g}/options/{n}")
            return
        for n, option in enumerate(self.array(element.get("options"), f"{at}/options", most=100)):
            self.option(option, f"{at}/options/{n}")

    def image(self, image: dict[str, Any], at: str, *, title: bool) -> None:
        if "slack_file" not in image:
            self.string(image.get("image_url"), f"{at}/image_url", limit=3000)
        self.string(image.get("alt_text"), f"{at}/alt_text", limit=2000)
        if title:
            self.text(image.get("title"), f"{at}/title", limit=2000, required=False)

    # -- blocks ----------------------------------------------------------------------------

    def blocks(self, value: Any, at: str, surface: Surface) -> None:
        most = MAX_MESSAGE_BLOCKS if surface == "message" else MAX_VIEW_BLOCKS
        allowed = _MESSAGE_BLOCKS if surface == "message" else _VIEW_BLOCKS
        seen: set[str] = set()
        for n, block in enumerate(self.array(value, at, most=most, least=0)):
            here = f"{at}/{n}"
            if not isinstance(block, dict):
                self.fail("must provide an object", here)
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.string(block_id, f"{here}/block_id", limit=255)
                if isinstance(block_id, str):
                    if block_id in seen:
                        self.fail(f"duplicate block_id: {block_id}", f"{here}/block_id")
                    seen.add(block_id)
            kind = block.get("type")
            if kind not in allowed:
                self.fail(f"unsupported type: {kind}", f"{here}/type")
                continue
            self.block(str(kind), block, here)

    def block(self, kind: str, block: dict[str, Any], at: str) -> None:
        action_ids: list[tuple[str, str]] = []

        def element(value: Any, where: str, allowed: frozenset[str]) -> None:
            action_id = self.element(value, where, allowed)
            if action_id is not None:
                action_ids.append((action_id, where))

        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail("must define either text or fields", at)
            self.text(block.get("text"), f"{at}/text", limit=3000, required=False)
            if "fields" in block:
                fields = self.array(block["fields"], f"{at}/fields", most=10)
                for n, item in enumerate(fields):
                    self.text(item, f"{at}/fields/{n}", limit=2000)
            if block.get("accessory") is not None:
                element(block["accessory"], f"{at}/accessory", _ACCESSORY_ELEMENTS)
        elif kind == "header":
            self.text(block.get("text"), f"{at}/text", limit=150, plain_only=True)
        elif kind == "context":
            for n, item in enumerate(self.array(block.get("elements"), f"{at}/elements", most=10)):
                if isinstance(item, dict) and item.get("type") == "image":
                    self.image(item, f"{at}/elements/{n}", title=False)
                else:
                    self.text(item, f"{at}/elements/{n}", limit=3000)
        elif kind == "actions":
            for n, item in enumerate(self.array(block.get("elements"), f"{at}/elements", most=25)):
                element(item, f"{at}/elements/{n}", _ACTION_ELEMENTS)
        elif kind == "image":
            self.image(block, at, title=True)
        elif kind == "input":
            self.text(block.get("label"), f"{at}/label", limit=2000, plain_only=True)
            self.text(block.get("hint"), f"{at}/hint", limit=2000, plain_only=True, required=False)
            element(block.get("element"), f"{at}/element", _INPUT_ELEMENTS)
        elif kind == "markdown":
            self.string(block.get("text"), f"{at}/text", limit=12_000)
        elif kind == "rich_text":
            self.array(block.get("elements"), f"{at}/elements", most=100, least=0)
        seen: set[str] = set()
        for action_id, where in action_ids:
            if action_id in seen:
                self.fail(f"duplicate action_id: {action_id}", f"{where}/action_id")
            seen.add(action_id)


def _decoded(value: Any) -> Any:
    # Form-encoded calls carry blocks and views as JSON strings.
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return _NOT_JSON
    return value


_NOT_JSON = object()


def blocks_problems(blocks: Any, surface: Surface = "message") -> list[str]:
    """What Slack would refuse in a ``blocks`` array (JSON text or decoded); [] when valid."""
    decoded = _decoded(blocks)
    if decoded is _NOT_JSON:
        return ["invalid JSON [json-pointer:/blocks]"]
    checker = _Checker()
    checker.blocks(decoded, "/blocks", surface)
    return checker.problems


def view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a Home or modal ``view`` (JSON text or decoded)."""
    decoded = _decoded(view)
    checker = _Checker()
    if decoded is _NOT_JSON or not isinstance(decoded, dict):
        checker.fail("must provide an object", "/view")
        return checker.problems
    kind = decoded.get("type")
    if kind not in ("home", "modal"):
        checker.fail("must be home or modal", "/view/type")
        return checker.problems
    if kind == "modal":
        checker.text(decoded.get("title"), "/view/title", limit=24, plain_only=True)
        for name in ("submit", "close"):
            checker.text(
                decoded.get(name), f"/view/{name}", limit=24, plain_only=True, required=False
            )
    checker.string(
        decoded.get("private_metadata"),
        "/view/private_metadata",
        limit=3000,
        required=False,
        empty=True,
    )
    checker.string(
        decoded.get("callback_id"), "/view/callback_id", limit=255, required=False, empty=True
    )
    checker.blocks(decoded.get("blocks"), "/view/blocks", "home" if kind == "home" else "modal")
    return checker.problems
