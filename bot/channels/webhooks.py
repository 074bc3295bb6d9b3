"""One web server for every channel: webhooks (Telegram, Zalo), /healthz and expiring file links.

A Starlette app served by uvicorn on the bot's own event loop (`WebServer`). A webhook route
checks the platform's secret header (403 without the right one), hands the JSON body to its
channel and answers at once, so the platform gets its 200 well within 2 seconds while the update
is handled in the background; a body is capped while it streams (413) and anything that is
not an update is a 400. `/healthz` says 200 `{"ok": true}` or 503 `{"ok": false}` to anyone; with
the secret (header X-Parbot-Health-Secret) it adds whether the database answers, the schedulers
run and when the last update came. `/app/` is the dashboard (bot.channels.dashboard).
`/files/<token>` serves what `FileStore` holds: charts and documents for Zalo, which takes photos
only by URL, under unguessable paths that expire.

Nothing here knows a chat platform: routes are (path, header, secret, accept) and the runner wires
them to the Applications.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import mimetypes
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger("parbot.web")

MAX_BODY = 1024 * 1024  # a webhook update is a few kB; refuse anything absurd
HEALTH_HEADER = "X-Parbot-Health-Secret"  # /healthz details for whoever holds the secret


@dataclass(frozen=True)
class WebhookRoute:
    """POST `path` with header `header` == `secret`; the parsed JSON body goes to `accept`."""

    path: str
    header: str
    secret: str
    accept: Callable[[Any], Awaitable[None]]
    name: str


@dataclass(frozen=True)
class StoredFile:
    name: str
    data: bytes
    mime_type: str
    expires: float  # time.monotonic()


class FileStore:
    """Bytes behind unguessable tokens, for a limited time (kept in memory: the links are for a
    platform fetching them now, not an archive). Oldest files go first past `max_bytes`."""

    def __init__(self, base_url: str, ttl_seconds: float = 24 * 3600,
                 max_bytes: int = 256 * 1024 * 1024) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl_seconds
        self.max_bytes = max_bytes
        self._files: OrderedDict[str, StoredFile] = OrderedDict()

    def _prune(self) -> None:
        now = time.monotonic()
        for token in [k for k, f in self._files.items() if f.expires <= now]:
            del self._files[token]
        while self._files and sum(len(f.data) for f in self._files.values()) > self.max_bytes:
            self._files.popitem(last=False)

    def put(self, name: str, data: bytes, mime_type: str | None = None) -> str:
        """Store a file; returns its public URL."""
        name = (name or "file").replace("/", "_")
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        token = secrets.token_urlsafe(24)
        self._files[token] = StoredFile(name, bytes(data), mime, time.monotonic() + self.ttl)
        self._prune()
        return f"{self.base_url}/files/{token}/{quote(name)}"

    def get(self, token: str) -> StoredFile | None:
        self._prune()
        return self._files.get(token)


HealthCheck = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, read as it streams in; None as soon as it passes `limit` (a declared
    Content-Length over the limit is refused before reading anything)."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _secret_matches(given: str, secret: str | None) -> bool:
    return bool(secret) and hmac.compare_digest(given.encode(), (secret or "").encode())


# Anything a malformed body can raise while it is parsed or turned into an update: a 400
# (deep nesting raises RecursionError; `"message": "x"` an AttributeError or TypeError).
MALFORMED = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
             OverflowError)


def build_app(routes: list[WebhookRoute], health: HealthCheck,
              files: FileStore | None = None, health_secret: str | None = None,
              pages: list[Route] | None = None) -> Starlette:
    """The server's routes: webhooks, /healthz, /files/... and `pages` (the dashboard).
    `/healthz` answers anyone `{"ok": …}` only; the details (database, channels, jobs, last
    updates, the clock) only with header HEALTH_HEADER == `health_secret`."""

    def webhook(route: WebhookRoute) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            given = request.headers.get(route.header, "")
            if not _secret_matches(given, route.secret):
                log.warning("webhook refused", extra={"fields": {
                    "route": route.name, "reason": "secret missing" if not given else "wrong"}})
                return JSONResponse({"ok": False, "description": "forbidden"}, status_code=403)
            body = await _read_capped(request, MAX_BODY)
            if body is None:
                return JSONResponse({"ok": False, "description": "too large"}, status_code=413)
            try:
                payload = json.loads(body or b"null")
                await route.accept(payload)
            except MALFORMED as exc:  # not JSON, or not an update of this platform
                log.warning("webhook body refused", extra={"fields": {
                    "route": route.name, "error": type(exc).__name__}})
                return JSONResponse({"ok": False, "description": "not an update"},
                                    status_code=400)
            return JSONResponse({"ok": True})

        return endpoint

    async def healthz(request: Request) -> Response:
        ok, report = await health()
        status = 200 if ok else 503
        if not _secret_matches(request.headers.get(HEALTH_HEADER, ""), health_secret):
            return JSONResponse({"ok": ok}, status_code=status)
        return JSONResponse({"ok": ok, **report}, status_code=status)

    async def file(request: Request) -> Response:
        stored = files.get(request.path_params["token"]) if files else None
        if stored is None:
            return Response("not found or expired", status_code=404, media_type="text/plain")
        disposition = "inline" if stored.mime_type.startswith("image/") else "attachment"
        return Response(stored.data, media_type=stored.mime_type, headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.name)}",
            "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})

    table = [Route(r.path, webhook(r), methods=["POST"], name=r.name) for r in routes]
    table.append(Route("/healthz", healthz, methods=["GET"]))
    table.append(Route("/files/{token}", file, methods=["GET"]))
    table.append(Route("/files/{token}/{name:path}", file, methods=["GET"]))
    table.extend(pages or [])
    return Starlette(routes=table)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        yield


class WebServer:
    """The ASGI app on host:port, started and stopped from the running event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.server = _Server(uvicorn.Config(app, host=host, port=port, log_config=None,
                                            access_log=False, lifespan="off",
                                            timeout_graceful_shutdown=5))
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Bind (raises OSError when the port is taken), then serve in the background."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.listen(128)
        sock.setblocking(False)
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]), name="webhooks")
        while not self.server.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()
            raise OSError(f"the web server on {self.host}:{self.port} did not start")
        log.info("web server listening", extra={"fields": {"host": self.host, "port": self.port}})

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, 10)
        self._task = None
