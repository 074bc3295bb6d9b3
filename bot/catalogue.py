"""Everything parbot says, in Vietnamese (default) and English.

Messages live in `bot/locales/<lang>.yaml` as `key: template` with `{name}` placeholders, so a
translator edits text without touching code. `t(key, lang, **values)` renders one.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, str]:
    with open(LOCALES / f"{lang}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def language(lang: str | None) -> str:
    """Telegram gives 'vi', 'en-US', None...: map to a language we speak."""
    base = (lang or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    lang = language(lang)
    template = messages(lang).get(key)
    if template is None:
        template = messages(DEFAULT_LANGUAGE)[key]
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
