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
  after Streamlit's CLI has read every option as usual.
"""
from __future__ import annotations

import json
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

MAX_BODY = 1024


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


def routes() -> list:
    from starlette.routing import Route
    from ui import identity
    return [Route(identity.route_url(identity.SET_PATH), set_session_cookie, methods=["POST"]),
            Route(identity.route_url(identity.CLEAR_PATH), clear_session_cookie, methods=["POST"])]


_app = None


def __getattr__(name: str):
    """`ui.serve:app`, the site as an st.App with the cookie routes, made when uvicorn first asks for it."""
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
