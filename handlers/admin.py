"""Admin commands in the chat: /assign, /unassign, /officers, /invite."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.catalogue import t
from bot.core.formatting import fmt_date
from bot.core.replies import Reply
from bot.core.text import fold
from bot.people import identity
from bot.people.assignments import change_assignment
from bot.people.identity import deep_link
from bot.people.roster import list_officers
from handlers.common import actor_of, answer, requires, run, services

COORDINATOR_WORDS = {"phoi hop", "phoi-hop", "phoihop", "coordinator", "ph"}


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, remove: bool) -> None:
    actor = actor_of(context)
    lang = actor.language
    args = context.args or []
    usage = "admin.unassign_usage" if remove else "admin.assign_usage"
    if len(args) < 2:
        await answer(update, context, Reply(t(usage, lang)), lang)
        return
    code, rest = args[0], args[1:]
    kind = "responsible"
    for size in (2, 1):  # "phối hợp Kim Sa" or "coordinator Kim Sa"
        if len(rest) > size and fold(" ".join(rest[:size])) in COORDINATOR_WORDS:
            kind, rest = "coordinator", rest[size:]
            break
    outcome = await run(change_assignment, services(context).engine, actor.officer_id, code,
                        " ".join(rest), kind, remove)
    text = t(f"admin.assign.{outcome.status}", lang, code=outcome.target_code,
             name=outcome.officer_name, kind=t(f"admin.kind.{kind}", lang),
             candidates=", ".join(outcome.candidates))
    await answer(update, context, Reply(text), lang)


@requires("assign")
async def assign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _change(update, context, remove=False)


@requires("unassign")
async def unassign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _change(update, context, remove=True)


@requires("officers")
async def officers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    lang = actor.language
    rows = await run(list_officers, services(context).engine)
    lines = [t("admin.officers_header", lang, count=len(rows))]
    for o in rows:
        linked = ", ".join(o.channels) if o.channels else t("admin.not_linked", lang)
        lines.append(t("admin.officer_line", lang, name=o.full_name,
                       role=t(f"role.{o.role}", lang), unit=o.unit or "-",
                       linked=linked, count=o.assignments))
    await answer(update, context, Reply("\n".join(lines)), lang)


@requires("invite")
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    lang = actor.language
    svc = services(context)
    name = " ".join(context.args or []).strip()
    if not name:
        await answer(update, context, Reply(t("admin.invite_usage", lang)), lang)
        return
    found = await run(identity.find_officers, svc.engine, name)
    if len(found) != 1:
        key = "admin.invite_none" if not found else "admin.invite_ambiguous"
        await answer(update, context, Reply(t(key, lang, name=name, candidates=", ".join(
            n for _, n in found[:8]))), lang)
        return
    [created] = await run(identity.create_invites, svc.engine, [found[0][0]],
                          svc.settings.invite_days)
    if svc.channel == "telegram" and context.bot.username:
        how = deep_link(context.bot.username, created.code)
    else:
        how = f"/start {created.code}"
    await answer(update, context, Reply(t("admin.invite_created", lang, name=created.full_name,
                                          link=how, code=created.code,
                                          date=fmt_date(created.expires_at.date()))), lang)


COMMANDS = [("assign", assign), ("unassign", unassign), ("officers", officers),
            ("invite", invite)]
