"""The .po catalogs: every language says everything English says, with the same placeholders.

``problems`` is the check; the first tests run it on the real catalogs, the others show it
catches each kind of mistake a translator (or a developer adding a key) can make.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog_file, placeholders, read_catalog

ROOT = Path(__file__).resolve().parents[2]


def _forms(message: Message) -> tuple[str, ...]:
    string = message.string
    forms = string if isinstance(string, (tuple, list)) else (string,)
    return tuple(form or "" for form in forms)


def _key(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)


def problems(catalogs: Mapping[str, Catalog]) -> list[str]:
    """Everything wrong with ``catalogs`` (language -> catalog), one sentence each."""
    found: list[str] = []
    english = {_key(m): m for m in catalogs[DEFAULT_LANGUAGE] if m.id}
    for lang, catalog in catalogs.items():
        messages = {_key(m): m for m in catalog if m.id}
        found += [f"{lang}: {key} is missing" for key in english.keys() - messages.keys()]
        found += [f"{lang}: {key} is not in English" for key in messages.keys() - english.keys()]
        for key, message in messages.items():
            forms = _forms(message)
            if message.fuzzy:
                found.append(f"{lang}: {key} is marked fuzzy")
            if not all(form.strip() for form in forms):
                found.append(f"{lang}: {key} has an empty translation")
            if message.pluralizable and len(forms) != catalog.num_plurals:
                found.append(
                    f"{lang}: {key} has {len(forms)} of {catalog.num_plurals} plural forms"
                )
            source = english.get(key)
            if source is None:
                continue
            if message.pluralizable != source.pluralizable:
                found.append(f"{lang}: {key} is plural in one language but not in the other")
            try:
                names = set().union(*(placeholders(form) for form in forms))
                expected = set().union(*(placeholders(form) for form in _forms(source)))
            except ValueError as error:  # an unbalanced { or }
                found.append(f"{lang}: {key} is not a valid template ({error})")
                continue
            if names != expected:
                found.append(
                    f"{lang}: {key} has placeholders {sorted(names)}, English {sorted(expected)}"
                )
    return found


def _real() -> dict[str, Catalog]:
    return {lang: read_catalog(lang) for lang in LANGUAGES}


def test_every_catalog_translates_every_message_with_the_same_placeholders() -> None:
    assert problems(_real()) == []


def test_catalogs_hold_the_messages_the_code_asks_for() -> None:
    english = {_key(m) for m in read_catalog("en") if m.id}
    assert {"help.intro", "digest.dm.posts", "input.day.0", "input.digest.now"} <= english


def test_catalogs_ship_with_the_package() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["ui"]
    for lang in LANGUAGES:
        path = str(Path(str(catalog_file(lang))).relative_to(ROOT / "ui"))
        assert any(fnmatch.fnmatch(path, pattern) for pattern in package_data), path


def _catalog(lang: str, *messages: tuple[str | tuple[str, str], str | tuple[str, ...]]) -> Catalog:
    catalog = Catalog(locale=lang, fuzzy=False)
    for msgid, string in messages:
        catalog.add(msgid, string)
    return catalog


ENGLISH = _catalog(
    "en",
    ("greet", "Hello {name}"),
    (("posts", "posts"), ("{count} post", "{count} posts")),
)


@pytest.mark.parametrize(
    ("dutch", "problem"),
    [
        (
            _catalog("nl", (("posts", "posts"), ("{count} bericht", "{count} berichten"))),
            "nl: greet is missing",
        ),
        (
            _catalog(
                "nl",
                ("greet", ""),
                (("posts", "posts"), ("{count} bericht", "{count} berichten")),
            ),
            "nl: greet has an empty translation",
        ),
        (
            _catalog(
                "nl",
                ("greet", "Hallo {naam}"),
                (("posts", "posts"), ("{count} bericht", "{count} berichten")),
            ),
            "nl: greet has placeholders ['naam'], English ['name']",
        ),
        (
            _catalog(
                "nl",
                ("greet", "Hallo {name"),
                (("posts", "posts"), ("{count} bericht", "{count} berichten")),
            ),
            "nl: greet is not a valid template",
        ),
        (
            _catalog("nl", ("greet", "Hallo {name}"), (("posts", "posts"), ("{count} bericht",))),
            "nl: posts has 1 of 2 plural forms",
        ),
        (
            _catalog(
                "nl", ("greet", "Hallo {name}"), (("posts", "posts"), ("{count} bericht", ""))
            ),
            "nl: posts has an empty translation",
        ),
        (
            _catalog("nl", ("greet", "Hallo {name}"), ("posts", "{count} berichten")),
            "nl: posts is plural in one language but not in the other",
        ),
        (
            _catalog(
                "nl",
                ("greet", "Hallo {name}"),
                (("posts", "posts"), ("{count} bericht", "{count} berichten")),
                ("extra", "Nog iets"),
            ),
            "nl: extra is not in English",
        ),
    ],
)
def test_the_check_catches_a_broken_translation(dutch: Catalog, problem: str) -> None:
    found = problems({"en": ENGLISH, "nl": dutch})
    assert any(line.startswith(problem) for line in found), found


def test_the_check_accepts_a_complete_translation() -> None:
    dutch = _catalog(
        "nl",
        ("greet", "Hallo {name}"),
        (("posts", "posts"), ("één bericht", "{count} berichten")),
    )
    assert problems({"en": ENGLISH, "nl": dutch}) == []


def test_a_fuzzy_translation_is_a_problem() -> None:
    dutch = _catalog(
        "nl", ("greet", "Hallo {name}"), (("posts", "posts"), ("{count} bericht", "{count} x"))
    )
    message = dutch.get("greet")
    assert message is not None
    message.flags.add("fuzzy")
    assert problems({"en": ENGLISH, "nl": dutch}) == ["nl: greet is marked fuzzy"]
