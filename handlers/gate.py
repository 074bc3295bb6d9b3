"""Before any feature sees an update (handler group -100): the text made safe.

Incoming text, captions, button data, file and contact names lose `\\x00` and the other
characters no document or database column can hold (`bot.core.text.xml_safe`), once, here — so
no handler stores what would later break an export.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.core.text import xml_safe

GROUP_CLEAN = -100


def _clean_fields(obj: object, *names: str) -> None:
    if obj is None:
        return
    dirty = {n: getattr(obj, n, None) for n in names}
    dirty = {n: v for n, v in dirty.items() if isinstance(v, str) and xml_safe(v) != v}
    if not dirty:
        return
    with obj._unfrozen():  # PTB's objects are frozen; this one is ours until handlers run
        for name, value in dirty.items():
            setattr(obj, name, xml_safe(value))


def clean(update: Update) -> None:
    """Drop XML-illegal characters from everything a person typed or named."""
    for message in (update.message, update.edited_message, update.channel_post,
                    update.edited_channel_post,
                    update.callback_query.message if update.callback_query else None):
        if message is None or not hasattr(message, "text"):
            continue
        _clean_fields(message, "text", "caption")
        _clean_fields(message.document, "file_name", "mime_type")
        _clean_fields(message.contact, "first_name", "last_name", "phone_number")
        _clean_fields(message.from_user, "first_name", "last_name", "username")
    if update.callback_query is not None:
        _clean_fields(update.callback_query, "data")
        _clean_fields(update.callback_query.from_user, "first_name", "last_name", "username")


async def clean_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    clean(update)


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, clean_update), group=GROUP_CLEAN)
