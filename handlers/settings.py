"""Per-user settings: /lang vi|en, and what the bot may send on its own — /snooze <days>,
/quiet <from>-<to>, /remind on|off, and (leaders) /digestday <day> [HH:MM]."""

from __future__ import annotations

import datetime as dt

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.core.access import Actor
from bot.core.catalogue import LANGUAGES, t
from bot.core.clock import clock
from bot.core.formatting import fmt_date
from bot.core.replies import Reply
from bot.core.vocab import ButtonPrefix, button_pattern, parse_button
from bot.people import identity, preferences
from bot.people.preferences import DIGEST_OFF, Preferences, hhmm
from handlers.common import actor_of, answer, command_args, requires, run, services


@requires("lang")
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    choice = (context.args or [""])[0].lower()
    if choice not in LANGUAGES:
        await answer(update, context, Reply(t("lang.usage", actor.language)), actor.language)
        return
    if actor.officer_id is not None:
        await run(identity.set_language, services(context).engine, actor.officer_id, choice)
    else:
        context.user_data["lang"] = choice
    await answer(update, context, Reply(t("lang.set", choice)), choice)


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor,
                 *lines: str) -> None:
    await answer(update, context, Reply("\n".join(lines)), actor.language)


async def _own(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Preferences | None:
    """The user's preferences, or None (and a word why) for an account not on the roster."""
    actor = actor_of(context)
    if actor.officer_id is None:
        await _reply(update, context, actor, t("prefs.need_account", actor.language))
        return None
    return await run(preferences.get_preferences, services(context).engine, actor.officer_id)


def _snooze_state(prefs: Preferences, lang: str) -> str:
    if prefs.snoozed(clock.now()):
        last = (prefs.snooze_until - dt.timedelta(days=1)).date()
        return t("prefs.snooze.current", lang, date=fmt_date(last))
    return t("prefs.snooze.none", lang)


async def _snooze(update: Update, context: ContextTypes.DEFAULT_TYPE, days: int) -> None:
    actor = actor_of(context)
    prefs = await run(preferences.snooze, services(context).engine, actor.officer_id, days)
    if prefs.snooze_until is None:
        await _reply(update, context, actor, t("prefs.snooze.off", actor.language))
        return
    last = clock.local(prefs.snooze_until).date() - dt.timedelta(days=1)
    await _reply(update, context, actor, t("prefs.snooze.set", actor.language,
                                           date=fmt_date(last)))


@requires("snooze")
async def snooze(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/snooze <days>: hold reminders back; /snooze off resumes them."""
    actor = actor_of(context)
    prefs = await _own(update, context)
    if prefs is None:
        return
    args = " ".join(command_args(context))
    days = preferences.parse_days(args) if args else None
    if days is None:
        await _reply(update, context, actor, _snooze_state(prefs, actor.language),
                     t("prefs.snooze.usage", actor.language,
                       most=preferences.MAX_SNOOZE_DAYS))
        return
    await _snooze(update, context, days)


@requires("snooze")
async def snooze_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"snooze:<days>" under a reminder."""
    if await _own(update, context) is None:
        return
    [days] = parse_button(update.callback_query.data or "", ButtonPrefix.SNOOZE, 1)
    await _snooze(update, context, int(days))


async def _turned_off(update: Update, context: ContextTypes.DEFAULT_TYPE, args: str,
                      done_key: str, setter, *off_values) -> bool:
    """"/quiet off", "/digestday off": store the off values and say so."""
    if not args or preferences.parse_switch(args) is not False:
        return False
    actor = actor_of(context)
    await run(setter, services(context).engine, actor.officer_id, *off_values)
    await _reply(update, context, actor, t(done_key, actor.language))
    return True


@requires("quiet")
async def quiet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiet 21:00-07:00: no messages from the bot in these hours (held until they end)."""
    actor = actor_of(context)
    lang = actor.language
    prefs = await _own(update, context)
    if prefs is None:
        return
    args = " ".join(command_args(context))
    engine = services(context).engine
    if await _turned_off(update, context, args, "prefs.quiet.off", preferences.set_quiet,
                         dt.time(), dt.time()):
        return
    window = preferences.parse_window(args) if args else None
    if window is None:
        current = t("prefs.quiet.current", lang, start=hhmm(prefs.quiet_start),
                    end=hhmm(prefs.quiet_end)) if prefs.quiet_start != prefs.quiet_end \
            else t("prefs.quiet.none", lang)
        await _reply(update, context, actor, current, t("prefs.quiet.usage", lang))
        return
    start, end = window
    if start == end:
        await _reply(update, context, actor, t("prefs.quiet.usage", lang))
        return
    await run(preferences.set_quiet, engine, actor.officer_id, start, end)
    await _reply(update, context, actor, t("prefs.quiet.set", lang, start=hhmm(start),
                                           end=hhmm(end)))


@requires("remind")
async def remind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remind on|off: deadline reminders for the user's own work."""
    actor = actor_of(context)
    lang = actor.language
    prefs = await _own(update, context)
    if prefs is None:
        return
    args = " ".join(command_args(context))
    switch = preferences.parse_switch(args) if args else None
    if switch is None:
        state = t("prefs.remind.current_on" if prefs.reminders_on else
                  "prefs.remind.current_off", lang)
        await _reply(update, context, actor, state, t("prefs.remind.usage", lang))
        return
    await run(preferences.set_reminders, services(context).engine, actor.officer_id, switch)
    await _reply(update, context, actor, t("prefs.remind.on" if switch else "prefs.remind.off",
                                           lang))


def _digest_state(prefs: Preferences, lang: str) -> str:
    if prefs.digest_weekday == DIGEST_OFF:
        return t("prefs.digest.current_off", lang)
    return t("prefs.digest.current", lang, weekday=t(f"notify.weekday.{prefs.digest_weekday}",
                                                    lang), time=hhmm(prefs.digest_time))


@requires("digestday")
async def digestday(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digestday thứ 2 07:30 (or "thu 08:00", "off"): when the weekly digest comes."""
    actor = actor_of(context)
    lang = actor.language
    prefs = await _own(update, context)
    if prefs is None:
        return
    args = " ".join(command_args(context))
    engine = services(context).engine
    if await _turned_off(update, context, args, "prefs.digest.off", preferences.set_digest,
                         None):
        return
    schedule = preferences.parse_digest_schedule(args) if args else None
    if schedule is None:
        await _reply(update, context, actor, _digest_state(prefs, lang),
                     t("prefs.digest.usage", lang))
        return
    prefs = await run(preferences.set_digest, engine, actor.officer_id, *schedule)
    await _reply(update, context, actor, t("prefs.digest.set", lang,
                                           weekday=t(f"notify.weekday.{prefs.digest_weekday}",
                                                     lang), time=hhmm(prefs.digest_time)))


COMMANDS = [("lang", lang), ("snooze", snooze), ("quiet", quiet), ("remind", remind),
            ("digestday", digestday)]


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(
        snooze_button, pattern=button_pattern(ButtonPrefix.SNOOZE, "[0-9]{1,2}")))
