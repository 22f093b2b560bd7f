"""The one message catalog: every sentence a person reads comes from here.

The texts live in gettext catalogs, one per language: ``ui/locale/<lang>/LC_MESSAGES/kring.po``.
A msgid is a key (``digest.show``) rather than English text, so the keys are the code's API and
English is a translation like any other. Babel reads a language's catalog the first time it is
needed; plural rules, list formatting, day names and clock times come from Babel's CLDR data.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "nl")
DOMAIN = "kring"
# Kring's English is written the British way ("organisation"), so without a region from the
# person's Slack locale it follows British conventions too: "a, b and c", 24-hour clocks.
HOME_REGIONS = {"en": "GB", "nl": "NL"}


def catalog_file(lang: str) -> Traversable:
    """Where the ``.po`` catalog of ``lang`` is (inside the installed package)."""
    return files("ui") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def read_catalog(lang: str) -> Catalog:
    """The parsed ``.po`` catalog of ``lang`` (read once)."""
    with catalog_file(lang).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


@cache
def _translations(lang: str) -> Translations:
    # Compiled in memory rather than shipped as .mo, so a fresh clone needs no build step and a
    # translator's edit shows at the next start. Empty and fuzzy entries are left out of the
    # compiled catalog, and the English fallback answers for them.
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(lang))
    compiled.seek(0)
    translations = Translations(compiled, domain=DOMAIN)
    if lang != DEFAULT_LANGUAGE:
        translations.add_fallback(_translations(DEFAULT_LANGUAGE))
    return translations


def _known(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_for(locale: str | None, override: str | None = None) -> str:
    """The language to use: the person's own choice, else their Slack locale (``nl-NL``)."""
    if override is not None and override in LANGUAGES:
        return override
    if locale:
        lang = locale.replace("_", "-").split("-", 1)[0].lower()
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (falling back to English), filled with ``values``."""
    template = _translations(_known(lang)).gettext(key)
    if template == key:
        # gettext hands back the msgid itself when no catalog has it: a typo in the code.
        raise KeyError(key)
    return template.format(**values) if values else template


def tn(key: str, count: int, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The plural form of ``key`` for ``count`` in ``lang``, filled with ``count`` and ``values``."""
    template = _translations(_known(lang)).ngettext(key, key, count)
    if template == key:
        raise KeyError(key)
    return template.format(count=count, **values)


def words(key: str, lang: str = DEFAULT_LANGUAGE, /) -> tuple[str, ...]:
    """Input words a person may type, from the catalog: the entry ``key`` holds them separated
    by spaces (``volg`` or ``suggesties suggestie``), lower case."""
    return tuple(w.casefold() for w in t(key, lang).split())


def join(items: list[str], lang: str = DEFAULT_LANGUAGE) -> str:
    """``a, b and c`` in the person's language (``a, b en c`` in Dutch)."""
    return format_list(items, locale=babel_locale(lang))


@cache
def babel_locale(lang: str, locale: str | None = None) -> Locale:
    """The Babel locale for writing ``lang`` to someone whose Slack locale is ``locale``.

    The region of ``locale`` counts where CLDR knows it for ``lang``: ``en-US`` gives American
    English, ``fr-FR`` read in English ``en_FR``; otherwise the language's home region in
    HOME_REGIONS (``en_GB``, ``nl_NL``).
    """
    lang = _known(lang)
    parts = (locale or "").replace("-", "_").split("_")
    if len(parts) > 1 and parts[1].isalpha():
        try:
            return Locale(lang, parts[1].upper())
        except UnknownLocaleError:
            pass
    return Locale(lang, HOME_REGIONS.get(lang))


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects (used to check both languages agree)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
