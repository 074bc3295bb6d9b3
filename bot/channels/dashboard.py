"""The dashboard's web side: the page at /app/ on the one web server (bot.channels.webhooks).

Routes (all under /app/):
- `GET /app/` — the page for the session's officer (Jinja2, server-rendered, no script), with
  `?area=CODE&school=ID&lang=vi|en`. Without a session: a small gate page; inside Telegram it
  loads Telegram's Mini App script and posts `initData` to `/app/auth/telegram`, elsewhere it
  says to open the page from the chat (`/dashboard`).
- `POST /app/auth/telegram` — `Authorization: tma <initData>`: validated (bot.dashboard.keys),
  used once, the Telegram user mapped to their roster officer → session cookie; else 403.
- `GET /app/login?t=TOKEN` — a signed one-time link: a page with one button (link previews and
  scanners only GET, so they do not use the link up); `POST /app/login` (the press) uses it and
  starts the session cookie, then redirects to the page. Forged, expired or used → 403.
- `GET /app/evidence/ID` — an evidence file of a report the officer may see.
- `GET /app/logout`.

The session cookie is HttpOnly, SameSite=Lax, Secure when PUBLIC_BASE_URL (or the request) is
HTTPS, and lasts 8 hours (a Mini App session over HTTPS: SameSite=None, Partitioned, for Telegram
Web's iframe); it names the officer, whose role and school are read again on every
request (someone removed from the roster loses the page at once).
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.answers.target import STATE_ICONS
from bot.channels.telegram_files import settings_bot
from bot.core.access import Actor
from bot.core.catalogue import LANGUAGES, t
from bot.core.files import FileUnavailable
from bot.core.formatting import fmt_date, fmt_number
from bot.core.settings import Settings
from bot.dashboard import keys
from bot.dashboard.keys import PATH as BASE
from bot.dashboard.view import (
    AHEAD_DAYS,
    Dashboard,
    NotAllowed,
    evidence_file,
    gather,
    member,
)
from bot.people import identity
from handlers.files import download

log = logging.getLogger("parbot.dashboard")

COOKIE = "parbot_dashboard"
TEMPLATES = Path(__file__).parent / "templates"
ICONS = STATE_ICONS  # the chat's icons (/status, /target)

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                   autoescape=select_autoescape(["html"]), trim_blocks=False)
_CSS = (TEMPLATES / "dashboard.css").read_text(encoding="utf-8")


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else f"{fmt_number(round(value), lang)}%"


def page_html(d: Dashboard) -> str:
    """The page as HTML (the web route and the bench both call this)."""
    lang = d.lang

    def link(**changes: Any) -> str:
        params = {"lang": lang, "area": d.area or "", "school": d.school or ""}
        params.update(changes)
        return BASE + "?" + urlencode({k: v for k, v in params.items() if v})

    def trend(value: float | None) -> str:
        if value is None:
            return t("dash.trend.none", lang)
        key = "up" if value > 0 else "down" if value < 0 else "flat"
        sign = "+" if value > 0 else ""
        return t(f"dash.trend.{key}", lang, pace=sign + fmt_number(value, lang))

    return _env.get_template("dashboard.html").render(
        d=d, lang=lang, t=t, css=_CSS, icons=ICONS, base=BASE, ahead=AHEAD_DAYS, link=link,
        fmt_date=fmt_date, trend=trend, pct=lambda v: _pct(v, lang))


def render(engine: Engine, actor: Actor, lang: str, area: str | None = None,
           school: int | None = None) -> str:
    """Gather and render the page for an actor (blocking: database and template)."""
    return page_html(gather(engine, actor, lang, area, school))


def _gate(settings: Settings, lang: str, message: str, status: int = 200,
          webapp: bool = True) -> HTMLResponse:
    html = _env.get_template("dashboard_gate.html").render(
        lang=lang, t=t, css=_CSS, base=BASE, message=message,
        webapp_js=settings.telegram_webapp_js if webapp else None)
    return HTMLResponse(html, status_code=status, headers=_headers(settings))


def _headers(settings: Settings) -> dict[str, str]:
    script = urlsplit(settings.telegram_webapp_js or "")
    origin = f"{script.scheme}://{script.netloc}" if script.netloc else ""
    return {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'self' 'unsafe-inline' {origin}".rstrip()
                + "; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                "form-action 'self'; base-uri 'none'")}


def _lang(request: Request, default: str = "vi") -> str:
    lang = request.query_params.get("lang") or default
    return lang if lang in LANGUAGES else default


class DashboardWeb:
    """The routes, bound to one database and the settings."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    # --- keys ----------------------------------------------------------------------------
    def _secret(self) -> bytes:
        return keys.secret(self.engine, self.settings.dashboard_secret)

    def _secure(self, request: Request) -> bool:
        base = self.settings.public_base_url or ""
        return request.url.scheme == "https" or base.startswith("https://")

    def _start_session(self, response: Response, request: Request, officer_id: int,
                       via: str) -> Response:
        hours = self.settings.dashboard_session_hours
        token = keys.session_token(officer_id, via, self._secret(), hours * 3600)
        secure = self._secure(request)
        # Telegram Web shows a Mini App in an iframe of web.telegram.org, where a Lax cookie is
        # never sent back: a Mini App session over HTTPS is SameSite=None and Partitioned (CHIPS,
        # kept per top-level site). The page only reads, so no request can be forged with it.
        if via == "tma" and secure:  # (Starlette writes Partitioned only on Python 3.14+)
            response.raw_headers.append((b"set-cookie", (
                f"{COOKIE}={token}; HttpOnly; Max-Age={int(hours * 3600)}; Path={BASE}; "
                "SameSite=None; Secure; Partitioned").encode("latin-1")))
            return response
        response.set_cookie(COOKIE, token, max_age=int(hours * 3600), path=BASE, httponly=True,
                            secure=secure, samesite="lax")
        return response

    def _actor(self, request: Request) -> Actor | None | bool:
        """The session's officer as an Actor; None without a valid session; False when the
        session names someone no longer on the roster."""
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            payload = keys.unsign(token, self._secret(), "session")
        except keys.Refused:
            return None
        return member(self.engine, int(payload["o"])) or False

    # --- routes --------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        actor = await run_in_threadpool(self._actor, request)
        if actor is None:
            lang = _lang(request)
            return _gate(self.settings, lang, t("dash.gate", lang))
        if actor is False:
            lang = _lang(request)
            return _gate(self.settings, lang, t("dash.refused", lang), 403, webapp=False)
        lang = _lang(request, actor.language)
        area = request.query_params.get("area") or None
        raw_school = request.query_params.get("school") or ""
        school = int(raw_school) if raw_school.isdigit() else None
        try:
            html = await run_in_threadpool(render, self.engine, actor, lang, area, school)
        except NotAllowed:
            return _gate(self.settings, lang, t("dash.refused", lang), 403, webapp=False)
        return HTMLResponse(html, headers=_headers(self.settings))

    async def auth_telegram(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        scheme, _, init_data = header.partition(" ")
        try:
            if scheme.lower() != "tma":
                raise keys.Refused("no tma authorization")
            user = keys.check_init_data(init_data.strip(), self.settings.telegram_bot_token or "",
                                        self.settings.dashboard_initdata_max_age)
            await run_in_threadpool(
                keys.use_once, self.engine, f"tma:{user.hash}",
                user.auth_date + self.settings.dashboard_initdata_max_age, {"user": user.id})
        except keys.Refused as exc:
            log.warning("dashboard: initData refused", extra={"fields": {"reason": str(exc)}})
            return JSONResponse({"ok": False, "description": "forbidden"}, status_code=403)
        found = await run_in_threadpool(identity.resolve, self.engine, "telegram", user.id)
        actor = await run_in_threadpool(member, self.engine, found.officer_id) \
            if found.officer_id else None
        if actor is None:
            log.warning("dashboard: Telegram user not on the roster")
            return JSONResponse({"ok": False, "description": "forbidden"}, status_code=403)
        return self._start_session(JSONResponse({"ok": True}), request, actor.officer_id, "tma")

    def _link_payload(self, token: str) -> dict:
        """A link's payload while it is valid and unused; `Refused` otherwise."""
        payload = keys.unsign(token, self._secret(), "link")
        if keys.was_used(self.engine, f"link:{payload['n']}"):
            raise keys.Refused("already used")
        return payload

    async def login_page(self, request: Request) -> Response:
        """GET of a link: a button that opens the page. Link previews and scanners fetch
        links with GET; only the press (a POST) uses the link up."""
        lang = _lang(request)
        token = request.query_params.get("t", "")
        try:
            payload = await run_in_threadpool(self._link_payload, token)
        except keys.Refused as exc:
            log.warning("dashboard: link refused", extra={"fields": {"reason": str(exc)}})
            return _gate(self.settings, lang, t("dash.link_refused", lang), 403, webapp=False)
        actor = await run_in_threadpool(member, self.engine, int(payload["o"]))
        if actor is None:
            return _gate(self.settings, lang, t("dash.refused", lang), 403, webapp=False)
        lang = _lang(request, actor.language)
        html = _env.get_template("dashboard_gate.html").render(
            lang=lang, t=t, css=_CSS, base=BASE, webapp_js=None,
            message=t("dash.login_as", lang, name=actor.name), login_token=token)
        return HTMLResponse(html, headers=_headers(self.settings))

    async def login(self, request: Request) -> Response:
        """The press: the link is used once and starts the session."""
        lang = _lang(request)
        body = (await request.body())[:8192].decode("latin-1")
        token = dict(parse_qsl(body)).get("t", "")
        try:
            payload = keys.unsign(token, self._secret(), "link")
            await run_in_threadpool(keys.use_once, self.engine, f"link:{payload['n']}",
                                    float(payload["e"]), {"officer": payload["o"]})
        except keys.Refused as exc:
            log.warning("dashboard: link refused", extra={"fields": {"reason": str(exc)}})
            return _gate(self.settings, lang, t("dash.link_refused", lang), 403, webapp=False)
        actor = await run_in_threadpool(member, self.engine, int(payload["o"]))
        if actor is None:
            return _gate(self.settings, lang, t("dash.refused", lang), 403, webapp=False)
        return self._start_session(RedirectResponse(BASE, status_code=303), request,
                                   actor.officer_id, "link")

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse(BASE, status_code=303)
        response.delete_cookie(COOKIE, path=BASE)
        return response

    async def evidence(self, request: Request) -> Response:
        actor = await run_in_threadpool(self._actor, request)
        if not actor:
            return Response("forbidden", status_code=403, media_type="text/plain")
        row = await run_in_threadpool(evidence_file, self.engine, actor,
                                      int(request.path_params["evidence_id"]))
        if row is None:
            return Response("not found", status_code=404, media_type="text/plain")
        name = row.file_name or f"evidence-{row.id}"
        mime = row.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        data = None
        if row.local_path and Path(row.local_path).is_file():
            data = await run_in_threadpool(Path(row.local_path).read_bytes)
        elif row.channel == "telegram" and self.settings.telegram_bot_token:
            bot = settings_bot(self.settings)
            try:
                await bot.initialize()
                data = await download(bot, row.file_id)
            except FileUnavailable:
                data = None
            except Exception:  # the Bot API unreachable: the file is unavailable now
                log.exception("dashboard: evidence download failed")
            finally:
                await bot.shutdown()
        if data is None:
            return Response("unavailable", status_code=404, media_type="text/plain")
        disposition = "inline" if mime.startswith("image/") or mime == "application/pdf" \
            else "attachment"
        return Response(data, media_type=mime, headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

    async def bare(self, request: Request) -> Response:
        return RedirectResponse(BASE, status_code=307)

    def routes(self) -> list[Route]:
        return [Route("/app", self.bare, methods=["GET"]),
                Route(BASE, self.page, methods=["GET"]),
                Route(BASE + "auth/telegram", self.auth_telegram, methods=["POST"]),
                Route(BASE + "login", self.login_page, methods=["GET"]),
                Route(BASE + "login", self.login, methods=["POST"]),
                Route(BASE + "logout", self.logout, methods=["GET"]),
                Route(BASE + "evidence/{evidence_id:int}", self.evidence, methods=["GET"])]


def routes(engine: Engine, settings: Settings) -> list[Route]:
    return DashboardWeb(engine, settings).routes()


def local_app(engine: Engine, settings: Settings) -> Starlette:
    """The dashboard alone (`parbot dashboard --serve`, tests)."""
    return Starlette(routes=routes(engine, settings))


def serve_local(engine: Engine, settings: Settings, host: str, port: int) -> None:
    """Serve the dashboard here until Ctrl-C."""
    import uvicorn

    uvicorn.run(local_app(engine, settings), host=host, port=port, log_config=None,
                access_log=False)
