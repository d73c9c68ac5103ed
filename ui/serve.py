"""Start the site the way `make run` does: `python -m ui.serve run app.py [streamlit options]`.

Streamlit still treats a `pages/` folder next to the main script as a legacy (v1) multipage app until
`st.navigation` has run once in the process. A first visitor who opens a deep link (a classroom link,
`/designer?run=…`) would then get that page run on its own, without app.py's navigation and style.
Declaring up front that the app uses `st.navigation` — the flag Streamlit itself sets when it first sees
`st.navigation` — makes every run start from app.py, so deep links work from the first request.

The settings are in `.streamlit/config.toml` beside app.py (Streamlit reads it whatever the working folder).
Two more things only a served site needs:
- a page that fails shows visitors the exception's type, never a traceback with the server's paths (unless
  `--client.showErrorDetails` is given); the log keeps the full traceback;
- the server never asks the internet for its own address: besides the start-up banner (off through
  `browser.serverAddress`), Streamlit asks checkip.amazonaws.com when a WebSocket arrives from an origin
  that is not the page's own, so anyone's cross-origin page could make this server call out;
- two HTTP routes for the sign-in cookie (`ui.identity`): Streamlit 1.67 reads cookies (`st.context.cookies`) but
  a script cannot write one, let alone an HttpOnly one. The supported way to add routes is `st.App`, Streamlit's
  ASGI application (Starlette routes, served by uvicorn). `streamlit run` uses it when the main script defines
  an `app = st.App(...)`; app.py stays a plain script, so `run` here starts the same `st.App(app.py)` with the
  routes through Streamlit's own ASGI runner (`bootstrap.run_asgi_app`, the path `streamlit run` takes),
  after Streamlit's CLI has read every option as usual;
- the live position route (`/_sps/live/{code}`, see `live_position`): a student's canvas reads the teacher's
  playback position by fetch a few times a second, and the teacher's canvas writes it, with no Streamlit rerun
  on either side (a rerun costs tens of milliseconds of server CPU per student; a cached read costs almost
  nothing).
"""
from __future__ import annotations

import json
import math
import re
import sys
import time

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

MAX_BODY = 1024
LIVE_PATH = "/_sps/live/{code}"
POSITION_BODY = 512              # {"hop", "t", "playing", "speed"} is well under 100 bytes
POSITION_TTL_S = 0.1             # a replica reads a session's position at most ten times a second
MISSING_TTL_S = 1.0
MAX_HOP = 10_000_000
_CODE = re.compile(r"^[A-Za-z0-9]{3}-?[A-Za-z0-9]{3}$")
_NO_STORE = {"Cache-Control": "no-store"}


def _same_origin(request) -> bool:
    """A cookie route answers only the site's own pages: the browser's Origin names this host (a fetch POST
    always sends it), and the body is JSON (so a cross-site form cannot post without a CORS preflight)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(origin and host) and origin in (f"http://{host}", f"https://{host}") and ctype == "application/json"


def _cookie_args(request) -> dict:
    from ui import identity
    return {"path": identity.cookie_path(), "httponly": True, "samesite": "lax",
            "secure": request.url.scheme == "https" or request.headers.get("origin", "").startswith("https://")}


async def set_session_cookie(request):
    """POST {"ticket": …} from a page that has just signed a learner in: set the signed, HttpOnly cookie."""
    from starlette.responses import JSONResponse
    from ui import identity
    if not _same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    body = await request.body()
    try:
        ticket = json.loads(body.decode("utf-8")).get("ticket") if len(body) <= MAX_BODY else None
    except (ValueError, AttributeError, UnicodeDecodeError):
        ticket = None
    value = identity.redeem_ticket(ticket)
    if value is None:
        return JSONResponse({"ok": False}, status_code=403, headers={"Cache-Control": "no-store"})
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    response.set_cookie(identity.COOKIE, value, max_age=identity.MAX_AGE_S, **_cookie_args(request))
    return response


async def clear_session_cookie(request):
    """POST from a page whose learner signed out: expire the cookie."""
    from starlette.responses import JSONResponse
    from ui import identity
    if not _same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    response.delete_cookie(identity.COOKIE, **_cookie_args(request))
    return response


class Buckets:
    """Token buckets by key (at most `rate` a second, bursts of `burst`), in this process's memory: a rate bound
    per replica, not an account. Keys idle long enough to be full again are forgotten, so the table stays small.
    Only the event loop's thread touches it (no await between reading and writing a bucket)."""

    def __init__(self, rate: float, burst: float, limit: int = 4096):
        self.rate, self.burst, self.limit = float(rate), float(burst), limit
        self.tokens: dict = {}

    def take(self, key, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self.tokens) >= self.limit and key not in self.tokens:
            full = self.burst / self.rate
            self.tokens = {k: v for k, v in self.tokens.items() if now - v[1] < full}
            if len(self.tokens) >= self.limit:
                return False
        level, at = self.tokens.get(key, (self.burst, now))
        level = min(self.burst, level + (now - at) * self.rate)
        if level < 1.0:
            self.tokens[key] = (level, now)
            return False
        self.tokens[key] = (level - 1.0, now)
        return True


# Behind a balancer every request comes from the balancer's address, so reads are bounded per address and
# class (30 students polling three or four times a second is ~120 a second) and cost one database read per
# POSITION_TTL_S whatever the number of students; codes that name no session are bounded much tighter (that
# is where guessing would go); a session's writes by its code. X-Forwarded-For is not trusted.
_reads = Buckets(rate=150, burst=300)
_misses = Buckets(rate=5, burst=30)
_writes = Buckets(rate=20, burst=40)
_cache: dict[str, tuple[float, int, dict]] = {}


def _answer(status: int, body: dict, **headers):
    from starlette.responses import JSONResponse
    return JSONResponse(body, status_code=status, headers={**_NO_STORE, **headers})


def _peer(request) -> str:
    return request.client.host if request.client else "?"


async def _bounded_body(request, limit: int) -> bytes | None:
    """The body, or None once it is longer than `limit` (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit() or int(declared) > limit:
            return None
    out = b""
    async for chunk in request.stream():
        out += chunk
        if len(out) > limit:
            return None
    return out


def _parse_position(body: bytes) -> dict | str:
    """The teacher's position from a POST body, or the reason it is not one."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    if not isinstance(doc, dict):
        return "the body must be an object {hop, t, playing, speed}"
    unknown = sorted(set(doc) - {"hop", "t", "playing", "speed"})
    if unknown:
        return f"unknown field {unknown[0]!r}"
    hop, t, playing, speed = doc.get("hop"), doc.get("t", 0), doc.get("playing"), doc.get("speed", 1)
    if isinstance(hop, bool) or not isinstance(hop, int) or not 0 <= hop <= MAX_HOP:
        return f"hop must be a whole number from 0 to {MAX_HOP}"
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or not 0 <= t <= 1e12:
        return "t must be a number of simulated seconds, 0 or more"
    if not isinstance(playing, bool):
        return "playing must be true or false"
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0.001 <= speed <= 1000:
        return "speed must be a number from 0.001 to 1000"
    return {"hop": hop, "sim_t": float(t), "playing": playing, "speed": float(speed)}


async def live_position(request):
    """`GET /_sps/live/{code}`: the position of the running live session with this join code —
    `{hop, t, playing, speed, seq}` and nothing else (no title, no names, no ids) — for a student's canvas.
    404 for a code that names no session, 410 once it has ended or expired (the canvas stops asking), 429 over
    the rate bound, 503 while the database does not answer.

    `POST /_sps/live/{code}` with `{hop, t, playing, speed}`: the teacher's canvas sets the position. Who is
    writing is the signed sign-in cookie (`ui.identity`), never the body: 401 without a valid one, 403 for
    anyone but the teacher who started the session (and for a request from another origin or not JSON), 413
    for a body over POSITION_BODY bytes, 400 for a body that is not a position."""
    from starlette.concurrency import run_in_threadpool
    import sqlalchemy as sa
    from store import live
    from ui import identity
    raw = request.path_params.get("code", "")
    if not _CODE.fullmatch(raw):
        return _answer(404, {"error": "no live lesson has this code"})
    code = live.normal_code(raw)
    peer = _peer(request)
    if request.method == "GET":
        if not _reads.take((peer, code)):
            return _answer(429, {"error": "too many requests"}, **{"Retry-After": "1"})
        now = time.monotonic()
        hit = _cache.get(code)
        if hit is None or hit[0] < now:
            known = hit is not None and hit[1] == 200      # a running session's code, read a moment ago
            if not known and not _misses.take(peer, now):
                return _answer(429, {"error": "too many requests"}, **{"Retry-After": "1"})
            try:
                pos = await run_in_threadpool(live.position, code)
                hit = (now + POSITION_TTL_S, 200, pos)
            except live.UnknownCode:
                hit = (now + MISSING_TTL_S, 404, {"error": "no live lesson has this code"})
            except live.Expired:
                hit = (now + MISSING_TTL_S, 410, {"error": "this live lesson has ended", "ended": True})
            except (sa.exc.SQLAlchemyError, OSError):
                return _answer(503, {"error": "the database is not answering"}, **{"Retry-After": "1"})
            if len(_cache) > 4096:
                for key in [k for k, v in _cache.items() if v[0] < now]:
                    del _cache[key]
            _cache[code] = hit
        return _answer(hit[1], hit[2])
    if not _same_origin(request):
        return _answer(403, {"error": "only this site's own pages may set a live position (JSON, same origin)"})
    body = await _bounded_body(request, POSITION_BODY)
    if body is None:
        return _answer(413, {"error": f"the body is over {POSITION_BODY} bytes"})
    teacher = await run_in_threadpool(identity.read_cookie, request.cookies.get(identity.COOKIE))
    if teacher is None:
        return _answer(401, {"error": "sign in as this session's teacher"})
    position = _parse_position(body)
    if isinstance(position, str):
        return _answer(400, {"error": position})
    if not _writes.take(code):
        return _answer(429, {"error": "too many requests"}, **{"Retry-After": "1"})
    try:
        seq = await run_in_threadpool(lambda: live.set_position_by_code(teacher.key, code, **position))
    except live.UnknownCode:
        return _answer(404, {"error": "no live lesson has this code"})
    except live.Expired:
        return _answer(410, {"error": "this live lesson has ended", "ended": True})
    except PermissionError:
        return _answer(403, {"error": "only the teacher who started this live lesson can drive it"})
    except (sa.exc.SQLAlchemyError, OSError):
        return _answer(503, {"error": "the database is not answering"}, **{"Retry-After": "1"})
    _cache.pop(code, None)              # this replica's readers see it at once; the others within the TTL
    return _answer(200, {"ok": True, "seq": seq})


def routes() -> list:
    from starlette.routing import Route
    from ui import identity
    return [Route(identity.route_url(identity.SET_PATH), set_session_cookie, methods=["POST"]),
            Route(identity.route_url(identity.CLEAR_PATH), clear_session_cookie, methods=["POST"]),
            Route(identity.route_url(LIVE_PATH), live_position, methods=["GET", "POST"])]


_app = None


def __getattr__(name: str):
    """`ui.serve:app`, the site as an st.App with the cookie and live position routes, made when uvicorn first asks for it."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        import streamlit as st
        from streamlit import config
        _app = st.App(config._main_script_path, routes=routes())
    return _app


def _run_with_routes(main_script_path: str, is_hello: bool, args: list[str], flag_options: dict, **_kw) -> None:
    bootstrap.run_asgi_app(main_script_path, "ui.serve:app", args, flag_options)


def no_external_ip_lookup() -> None:
    from streamlit import net_util
    net_util.get_external_ip = lambda: None     # looked up on the module at call time (server_util, bootstrap)


def main() -> None:
    PagesManager.uses_pages_directory = False
    no_external_ip_lookup()
    bootstrap.run = _run_with_routes            # cli._main_run looks it up on the module at call time
    args = sys.argv[1:]
    if args[:1] == ["run"] and not any(a.startswith("--client.showErrorDetails") for a in args):
        args += ["--client.showErrorDetails", "type"]
    sys.argv = ["streamlit", *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
