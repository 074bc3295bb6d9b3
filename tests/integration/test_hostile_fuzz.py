"""Issue 14, "done when": more than 10,000 hostile inputs — control characters, RTL, zero-width,
10k characters, superscript and odd digits, huge numbers, forged buttons of every prefix, odd
files and contacts — through the real Application, in-process (the console bridge, and the Zalo
channel against the fake Zalo). Every one is answered or ignored on purpose; no handler raises;
nothing is logged as an error; the error apology never appears.

Deterministic (a seeded random), so a failure names the input that caused it.
"""

from __future__ import annotations

import logging
import os
import random

from bot.core.catalogue import t
from bot.core.vocab import ButtonPrefix
from tests.chat import Chat
from tests.fake_zalo import FakeZalo
from tests.integration.test_zalo import zalo_bot
from tests.report_helpers import button_update, document_update, office_fixture  # noqa: F401

TOTAL = int(os.environ.get("PARBOT_FUZZ_INPUTS", "10200"))
APOLOGY = (t("error.generic", "vi"), t("error.generic", "en"))

CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)])
ODD = ["\u202e", "\u200f", "\u200e", "\u061c", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060",
       "\u2063", "\ufffe", "\uffff", "\ud800", "\udfff", "\U0001f600", "\u0301", "\u00a0",
       "\u3000", "\u2028", "\u2029"]
DIGITS = ["²³", "¹", "⁰", "①", "٣٤", "۵", "१२", "１２", "𝟓", "Ⅻ", "½", "⅓"]
NUMBERS = ["9" * 400, "1e309", "-1", "-0", "NaN", "inf", "62,5,5", "31/0", "0/0", "99999999999",
           "1" + "0" * 30, "0x1F", "62%%", "١٠٠%", "62²", "2²/5", "100/50", "  62  ", "6 2"]
WORDS = ["báo cáo", "tiến độ", "CQS-1", "TC-1", "ai phụ trách", "đạt", "chưa đạt", "quý 3",
         "hủy", "xong", "bỏ qua", "1", "2", "3", "0", "/", "@", "%", "مرحبا", "שלום", "日本語",
         "Xin chào", "'; DROP TABLE officer; --", "=HYPERLINK(\"http://x\")", "{text}", "{0}",
         "%s", "${jndi:ldap://x}", "<b>x</b>", "\\", "../../etc/passwd"]
COMMANDS = ["/report", "/target", "/who", "/status", "/due", "/history", "/undo", "/cancel",
            "/help", "/start", "/plan", "/lang", "/snooze", "/quiet", "/remind", "/digestday",
            "/officers", "/invite", "/assign", "/unassign", "/digest", "/quarterly", "/export",
            "/targets", "/areas", "/commands", "/khongco", "/report@parbot_bot", "/"]
HEAVY = ("/quarterly", "/export", "/digest")  # documents and charts: a few of them only


def _piece(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return "".join(rng.choice(CONTROL) for _ in range(rng.randrange(1, 6)))
    if kind == 1:
        return rng.choice(ODD) * rng.randrange(1, 4)
    if kind == 2:
        return rng.choice(DIGITS)
    if kind == 3:
        return rng.choice(NUMBERS)
    return rng.choice(WORDS)


def hostile_text(rng: random.Random) -> str:
    if rng.random() < 0.01:
        return (rng.choice(WORDS) + rng.choice(ODD)) * rng.randrange(1000, 2500)  # ~10k chars
    text = " ".join(_piece(rng) for _ in range(rng.randrange(1, 6)))
    if rng.random() < 0.3:
        command = rng.choice(COMMANDS)
        if command in HEAVY and rng.random() < 0.8:
            command = "/help"
        text = f"{command} {text}"
    return text


def forged_button(rng: random.Random) -> str:
    prefix = rng.choice(list(ButtonPrefix)).value
    parts = [rng.choice(["ok", "t", "u", "v", "e", "edit", "skip", "done", "cancel", "back",
                         "restart", "continue", "clear", "yes", "no", "1", "0", "-1", "²",
                         "9" * 30, "", "report", "help", "behind", "x" * 40, "TC-1", "CQS-1"])
             for _ in range(rng.randrange(0, 4))]
    data = ":".join([prefix, *parts])
    if rng.random() < 0.2:
        data += _piece(rng)
    return data[:64]


def _check(out, label: str) -> None:
    rendered = "\n".join(o.render() for o in out)
    assert not any(a in rendered for a in APOLOGY), (label, rendered[:300])
    assert "Traceback" not in rendered, label


async def test_ten_thousand_hostile_inputs_through_the_application(office, caplog):
    rng = random.Random(14)
    sent = 0
    caplog.set_level(logging.WARNING)
    async with Chat(office) as chat:
        people = [chat.user("Khách"), chat.user("Guest", "en"), chat.officer("Diệu Anh"),
                  chat.officer("Tuấn An"), chat.officer("Phan Văn Thắng"),
                  chat.officer("Lý Minh Quân", "en")]
        while sent < TOTAL:
            user = rng.choice(people)
            roll = rng.random()
            if roll < 0.15:
                data = forged_button(rng)
                update, label = button_update(chat, user, data), f"button {data!r}"
            elif roll < 0.18:
                name = rng.choice(["a.pdf", "x.exe", "b.pdf.scr", "\x00.docx", "", "k.xlsx",
                                   "ghi\u202echú.pdf"])
                update = document_update(chat, user, f"f{sent}", name,
                                         rng.choice(["application/pdf", "application/x-msdos",
                                                     "", "image/png"]),
                                         size=rng.choice([1, 2048, 10 ** 9]),
                                         caption=hostile_text(rng) if rng.random() < .5 else None)
                label = f"document {name!r}"
            elif roll < 0.19:
                update = chat.request.text_update(user, "x")
                message = update["message"]
                message.pop("text")
                message["contact"] = {"phone_number": rng.choice(NUMBERS + DIGITS),
                                      "first_name": _piece(rng),
                                      "user_id": rng.choice([user["id"], 1, None])}
                label = "contact"
            else:
                text = hostile_text(rng)
                update, label = chat.request.text_update(user, text), f"text {text[:80]!r}"
            out = await chat.feed(update)
            sent += 1
            assert not chat.errors, (label, repr(chat.errors))
            _check(out, label)
            if "message" in update and update["message"].get("text", "").strip("\x00 ") \
                    and not chat.request.menus.get(str(user["id"])):
                assert out, f"no answer to {label}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors[:5]]
    assert sent == TOTAL  # 10,200 unless PARBOT_FUZZ_INPUTS says otherwise


async def test_hostile_events_through_the_zalo_channel(office, caplog):
    rng = random.Random(1414)
    caplog.set_level(logging.WARNING)
    async with FakeZalo() as zl, zalo_bot(zl, office) as channel:
        for _ in range(120):
            user = f"z-{rng.randrange(4)}"
            roll = rng.random()
            if roll < 0.6:
                zl.send_text(user, hostile_text(rng)[:1900],
                             message_id=rng.choice([None, "same", _piece(rng)]))
            elif roll < 0.8:
                zl.send_image(user, rng.choice([f"{zl.root}/bot{zl.token}/getMe",
                                                "http://169.254.169.254/", "file:///etc/passwd",
                                                "https://x.zdn.vn/a.jpg", "", "x" * 3000]),
                              caption=_piece(rng))
            else:  # raw, malformed events straight to the channel
                await channel.accept(rng.choice([
                    {"event_name": "message.text.received", "message": {"text": _piece(rng)}},
                    {"ok": True, "result": [{"event_name": _piece(rng)}]},
                    {"event_name": "message.text.received",
                     "message": {"from": {"id": [1]}, "chat": "x", "text": {"a": 1}}},
                    {"event_name": "message.text.received", "message": {
                        "from": {"id": f"z-1{_piece(rng)}"}, "text": _piece(rng),
                        "message_id": _piece(rng), "date": "x"}},
                    {"result": {"result": {"result": None}}}, [], "x", None, 5]))
        await zl.wait_idle(timeout=60)
    bad = [r.getMessage() for r in caplog.records
           if r.levelno >= logging.ERROR or "not handled" in r.getMessage()]
    assert not bad, bad[:5]
