"""Everything parbot says, in Vietnamese (default) and English.

Messages live in `bot/core/locales/<lang>/<feature>.yaml` as `key: template` with `{name}`
placeholders, so a translator edits text without touching code, and each feature keeps its own
file. `t(key, lang, **values)` renders one.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# Safe loading, by libyaml's parser when PyYAML was built with it: the same data, read ten times
# faster (every process reads the whole catalogue as it starts).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def catalogue_files(lang: str) -> list[Path]:
    return sorted((LOCALES / lang).glob("*.yaml"))


@cache
def messages(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        with open(path, encoding="utf-8") as fh:
            loader = _SAFE_LOADER(fh)
            try:
                part = loader.get_single_data() or {}
            finally:
                loader.dispose()
        duplicated = set(part) & set(merged)
        if duplicated:
            raise ValueError(f"{path}: keys defined twice: {sorted(duplicated)}")
        merged.update(part)
    return merged


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
