"""/start (with an invite code), phone-number linking, and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.replies import Button, Reply
from bot.core.vocab import cmd_data
from bot.people import identity
from bot.people.assignments import responsibilities
from handlers.common import actor_of, answer, requires, run, services


def _member_buttons(actor: Actor, lang: str, commands: set[str]) -> list[list[Button]]:
    row = [Button(t(f"button.{c}", lang), cmd_data(c)) for c in ("report", "due", "help")
           if c in commands and allowed(actor.role, c)]
    return [row] if row else []


async def greeting(actor: Actor, context: ContextTypes.DEFAULT_TYPE) -> Reply:
    lang = actor.language
    svc = services(context)
    lines = [t("start.hello", lang, name=actor.name), t("start.linked", lang)]
    if actor.officer_id is not None:
        shares = await run(responsibilities, svc.engine, actor.officer_id)
        if shares:
            parts = [t("start.share", lang, area=s.area_name_en if lang == "en" else s.area_name,
                       count=s.targets) for s in shares]
            lines.append(t("start.responsible_for", lang, items="; ".join(parts)))
    lines.append(t("start.role", lang, role=t(f"role.{actor.role}", lang)))
    commands = context.application.bot_data.get("commands", set())
    return Reply("\n".join(lines), _member_buttons(actor, lang, commands))


@requires("start")
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    code = " ".join(context.args or []).strip()
    if code:
        user = update.effective_user
        outcome = await run(identity.redeem_invite, svc.engine, svc.channel, user.id, code)
        if outcome.status == "linked":
            actor = outcome.actor
            await answer(update, context, await greeting(actor, context), actor.language)
            return
        lang = actor.language
        await answer(update, context, Reply(t(f"invite.{outcome.status}", lang)), lang)
        if not actor.is_member:
            await answer(update, context, _guest_reply(actor, svc.channel), lang)
        return
    if actor.is_member:
        await answer(update, context, await greeting(actor, context), actor.language)
    else:
        await answer(update, context, _guest_reply(actor, svc.channel), actor.language)


def _guest_reply(actor: Actor, channel: str) -> Reply:
    lang = actor.language
    text = t("start.guest", lang)
    if channel == "telegram":
        return Reply(text + "\n" + t("start.guest_phone", lang), ask_contact=True)
    return Reply(text)


@requires("start")
async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    shared = update.effective_message.contact
    outcome = await run(identity.link_by_phone, svc.engine, svc.channel,
                        update.effective_user.id, shared.phone_number, shared.user_id)
    if outcome.status == "linked":
        await answer(update, context, await greeting(outcome.actor, context),
                     outcome.actor.language)
        return
    await answer(update, context, Reply(t(f"contact.{outcome.status}", actor.language)),
                 actor.language)


@requires("help")
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    lang = actor.language
    svc = services(context)
    registered = context.application.bot_data.get("commands", set())
    lines = [t("help.header", lang, role=t(f"role.{actor.role}", lang))]
    for command in registered_order(context):
        if command in registered and allowed(actor.role, command, svc.settings.public_plan):
            lines.append(t(f"cmd.{command}", lang))
    if not actor.is_member:
        lines.append(t("help.guest", lang))
    await answer(update, context, Reply("\n".join(lines)), lang)


def registered_order(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return list(context.application.bot_data.get("command_order", []))


COMMANDS = [("start", start), ("help", help_command)]


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.CONTACT & ~filters.UpdateType.EDITED, contact))
