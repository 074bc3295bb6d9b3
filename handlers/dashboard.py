"""/dashboard: open the progress dashboard (the page at PUBLIC_BASE_URL/app/).

On Telegram (HTTPS address): a button that opens the page as a Mini App (`WebAppInfo`; the page
signs in with Telegram's initData), a one-time link for a desktop browser, and for leaders a chat
menu button (`setChatMenuButton`) that opens it from then on. On Zalo and the console — where
there is no Mini App — and on Telegram without HTTPS: a signed one-time link (15 minutes,
single use). Without PUBLIC_BASE_URL the bot says so and who must set it.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core.catalogue import t
from bot.core.replies import Reply
from bot.dashboard import keys
from bot.dashboard.view import plan_label
from handlers.common import ack, actor_of, answer, requires, run, services

log = logging.getLogger("parbot")

MENU_ROLES = frozenset({"leader"})


@requires("dashboard")
async def dashboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    lang = actor.language
    base = (svc.settings.public_base_url or "").strip()
    if not base:
        await answer(update, context, Reply(t("dashboard.no_base_url", lang)), lang)
        return
    if actor.officer_id is None:  # the console's local administrator: no roster officer
        await answer(update, context, Reply(t("dashboard.need_officer", lang)), lang)
        return
    plan = await run(plan_label, svc.engine, lang)
    minutes = svc.settings.dashboard_link_minutes
    link = await run(keys.new_link, svc.engine, base, actor.officer_id,
                     svc.settings.dashboard_secret, minutes * 60)
    chat = update.effective_chat
    if svc.channel != "telegram" or not base.startswith("https://") or chat is None:
        text = "\n".join([t("dashboard.link", lang, plan=plan, minutes=f"{minutes:g}", url=link),
                          t("dashboard.link_note", lang)])
        await answer(update, context, Reply(text), lang)
        return
    page = WebAppInfo(keys.app_url(base))
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(t("dashboard.button", lang), web_app=page)],
        [InlineKeyboardButton(t("dashboard.button_browser", lang), url=link)]])
    await ack(update)
    await context.bot.send_message(chat.id, t("dashboard.open", lang, plan=plan),
                                   reply_markup=markup)
    if actor.role in MENU_ROLES and chat.type == "private":
        try:
            await context.bot.set_chat_menu_button(
                chat_id=chat.id,
                menu_button=MenuButtonWebApp(t("dashboard.menu_button", lang), page))
        except TelegramError as exc:  # the button is a convenience; the message went out
            log.warning("menu button for chat %s not set: %s", chat.id, exc)


COMMANDS = [("dashboard", dashboard)]
