"""Who is using the site: Streamlit's st.login when an identity provider is configured, else a display name
with a personal code. The learner key lives in session state; pages call `current_learner()`.

Staying signed in across a reload (display-name learners; st.login keeps its own cookie). A reload opens a new
Streamlit session, so session state is gone; what survives is a cookie, `sps_learner`:
- **signed**: `v1.<learner id>.<issued at>.<tag>.<HMAC-SHA256>` with a server secret (`SPS_SECRET`, else a
  random secret generated once into `site-secret`, mode 0600, beside the SQLite database). `tag` is a short hash
  of the learner key, so a cookie never names another learner if the database is replaced. A cookie whose
  signature, form, age (14 days) or learner does not check out is ignored. It holds no personal code, not even
  hashed, and no display name.
- **HttpOnly, SameSite=Lax** (Secure over HTTPS): page scripts cannot read it. Streamlit 1.67 can read cookies
  (`st.context.cookies`, from the WebSocket handshake) but offers no way to write one from a script, and an
  HttpOnly cookie can only come from an HTTP response. So `ui.serve` starts the site as an `st.App` (Streamlit's
  ASGI app, which takes extra Starlette routes) with two routes, `POST /_sps/session` and `POST /_sps/signout`.
- After a sign-in the script makes a **ticket**: the cookie value signed again for this purpose, good for
  2 minutes and redeemed once; a small Components-v2 element POSTs the ticket (in the body, never in a URL) to
  `/_sps/session`, whose response sets the cookie. Sign-out POSTs to `/_sps/signout`, which expires it, and this
  session ignores the cookie its WebSocket was opened with. Both routes refuse a cross-origin request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets as _secrets
import threading
import time
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from store import learners
from store.db import default_url, open_database
from store.tables import learners as learners_table
from ui.style import md_escape

KEY = "learner_key"
COOKIE = "sps_learner"
MAX_AGE_S = 14 * 86400
TICKET_TTL_S = 120
SECRET_ENV = "SPS_SECRET"
SECRET_FILE = "site-secret"
SET_PATH, CLEAR_PATH = "/_sps/session", "/_sps/signout"
_PENDING = "cookie-pending"          # what the cookie element still has to tell the server
_IGNORE = "cookie-ignored"           # signed out in this session: the handshake's cookie no longer counts
_FAILED = "cookie-failed"


# --- the signed cookie ---------------------------------------------------------------------------------------
def secret_path() -> Path:
    """Beside the SQLite database; for another database, in the site's data folder."""
    url = sa.engine.make_url(default_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not url.database.startswith("file:"):
        return Path(url.database).expanduser().parent / SECRET_FILE
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "serverless-pattern-studio" / SECRET_FILE


_secret_lock = threading.Lock()


def server_secret() -> bytes:
    """`SPS_SECRET`, else the secret file's (made on first use: 32 random bytes, hex, mode 0600)."""
    env = os.environ.get(SECRET_ENV, "").strip()
    if env:
        return env.encode("utf-8")
    path = secret_path()
    with _secret_lock:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as out:
                    out.write(_secrets.token_hex(32))
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise RuntimeError(f"the site secret in {path} is too short; delete it to make a new one")
    return value.encode("ascii")


def _tag(key: str) -> str:
    return hashlib.sha256(("learner-tag/" + key).encode("utf-8")).hexdigest()[:16]


def _sign(payload: str) -> str:
    mac = hmac.new(server_secret(), payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def make_cookie(learner: learners.Learner, now: float | None = None) -> str:
    payload = f"v1.{int(learner.id)}.{int(now if now is not None else time.time())}.{_tag(learner.key)}"
    return f"{payload}.{_sign(payload)}"


def _learner_by_id(learner_id: int) -> learners.Learner | None:
    with open_database().read() as conn:
        row = conn.execute(sa.select(learners_table).where(learners_table.c.id == learner_id)).first()
    return learners.Learner(row.id, row.key, row.display_name) if row else None


def read_cookie(value: str | None, now: float | None = None) -> learners.Learner | None:
    """The learner a cookie names, or None for anything not made by `make_cookie` with this secret, expired, or
    naming a learner that no longer exists as signed."""
    if not value or not isinstance(value, str) or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 5 or parts[0] != "v1" or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:4])
    try:
        if not hmac.compare_digest(_sign(payload), parts[4]):
            return None
    except (UnicodeEncodeError, RuntimeError, OSError):
        return None
    issued, now = int(parts[2]), (now if now is not None else time.time())
    if not issued - 300 <= now <= issued + MAX_AGE_S:
        return None
    learner = _learner_by_id(int(parts[1]))
    if learner is None or not hmac.compare_digest(_tag(learner.key), parts[3]):
        return None
    return learner


# --- tickets: a sign-in in a script -> the cookie, through one HTTP request -----------------------------------
# A ticket is the cookie value, signed again for this one purpose and good for two minutes, so any replica that
# shares the secret (SPS_SECRET, as ops.cluster sets it) can redeem it; a replica redeems each ticket once.
_redeemed: dict[str, float] = {}
_tickets_lock = threading.Lock()


def issue_ticket(learner: learners.Learner, now: float | None = None) -> str:
    body = base64.urlsafe_b64encode(make_cookie(learner, now).encode("ascii")).rstrip(b"=").decode("ascii")
    payload = f"t1.{body}.{int((now if now is not None else time.time()) + TICKET_TTL_S)}"
    return f"{payload}.{_sign('ticket/' + payload)}"


def redeem_ticket(ticket, now: float | None = None) -> str | None:
    """The cookie value a ticket carries, once; None for a forged, used or expired one."""
    if not isinstance(ticket, str) or len(ticket) > 400:
        return None
    parts = ticket.split(".")
    if len(parts) != 4 or parts[0] != "t1" or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:3])
    now = now if now is not None else time.time()
    try:
        if not hmac.compare_digest(_sign("ticket/" + payload), parts[3]) or int(parts[2]) < now:
            return None
        value = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode("ascii")
    except (ValueError, UnicodeError, RuntimeError, OSError):
        return None
    with _tickets_lock:
        for old in [t for t, exp in _redeemed.items() if exp < now]:
            del _redeemed[old]
        if parts[3] in _redeemed:
            return None
        _redeemed[parts[3]] = int(parts[2])
    return value


def cookie_path() -> str:
    from streamlit import config
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def route_url(path: str) -> str:
    base = cookie_path().rstrip("/")
    return f"{base}{path}"


@lru_cache(maxsize=1)
def _cookie_element():
    js = """
export default function ({ data }) {
  if (!data || !data.url || !data.id) return;
  const sent = (window.__spsCookieSent = window.__spsCookieSent || new Set());
  if (sent.has(data.id)) return;
  sent.add(data.id);
  fetch(data.url, { method: "POST", credentials: "same-origin", cache: "no-store",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ ticket: data.ticket || "" }) }).catch(() => sent.delete(data.id));
}
"""
    return st.components.v2.component("serverless_pattern_studio.session_cookie", js=js)


def _cookie_sync() -> None:
    """Tell the server to set or clear the cookie after a sign-in or sign-out. The element is mounted on every run
    until the request is surely made (a ticket lives two minutes; the page posts each request once, and a
    ticket is good once): no answer comes back, so no extra rerun races the learner's next click."""
    pending = st.session_state.get(_PENDING)
    if not pending:
        return
    if pending["expires"] < time.time():
        st.session_state.pop(_PENDING, None)
        return
    data = {"id": pending["id"], "url": pending["url"], "ticket": pending.get("ticket", "")}
    _cookie_element()(key="cookie-sync", data=data)


def _remember(learner: learners.Learner) -> None:
    """Signed in: this session knows the learner; the browser gets the cookie on the next run."""
    st.session_state[KEY] = learner.key
    st.session_state.pop(_IGNORE, None)
    st.session_state.pop(_FAILED, None)
    try:
        ticket = issue_ticket(learner)
    except (OSError, RuntimeError):      # no secret to sign with: signed in for this session only
        st.session_state[_FAILED] = True
        return
    st.session_state[_PENDING] = {"action": "set", "id": _secrets.token_hex(8), "url": route_url(SET_PATH),
                                  "ticket": ticket, "expires": time.time() + TICKET_TTL_S - 10}


def _from_cookie() -> learners.Learner | None:
    if st.session_state.get(_IGNORE):
        return None
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 — no request context (bare script, AppTest)
        return None
    learner = read_cookie(value)
    if learner is not None:
        st.session_state[KEY] = learner.key
    return learner


def database_problem() -> str | None:
    """None when the progress database opens, else a one-line reason (the pages then run without saving)."""
    try:
        open_database()
        return None
    except Exception as exc:  # noqa: BLE001 — any driver/URL error: show it, keep the site usable
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


def provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file at all
        return False


def current_learner() -> learners.Learner | None:
    if provider_configured():
        user = st.user
        if not getattr(user, "is_logged_in", False):
            return None
        subject = user.get("sub") or user.get("email")
        name = str(user.get("name") or user.get("email") or "Learner")[:80]
        key = learners.key_for_user(str(subject))
        known = st.session_state.get("oidc_learner")
        if known is None or known.key != key or known.display_name != name:
            known = learners.ensure(key, name)           # one write per session, not per rerun
            st.session_state["oidc_learner"] = known
        return known
    key = st.session_state.get(KEY)
    if key:
        return learners.get(key)
    return _from_cookie()


def sign_out() -> None:
    """Forget everything this browser session holds, not only who is signed in: the quiz in progress (and the
    attempt its answers are written to), the designer's canvas and session saves, the personal code, every
    widget's value. The next person in this tab starts as a stranger (a sign-out that kept the quiz wrote the
    next learner's answers into the previous learner's attempt)."""
    st.session_state.clear()
    if not provider_configured():
        st.session_state[_IGNORE] = True
        st.session_state[_PENDING] = {"action": "clear", "id": _secrets.token_hex(8), "url": route_url(CLEAR_PATH),
                                      "expires": time.time() + TICKET_TTL_S}


def _log_out() -> None:
    sign_out()
    st.logout()


def _personal_code() -> None:
    """The code of a learner who has just signed up: hidden until asked for, then shown once and forgotten
    (the store keeps only its hash), so it never stays on a projected screen beside the class list."""
    code = st.session_state.get("new_code")
    if not code:
        return
    if st.button("Show my personal code", key="show-code", icon=":material/visibility:"):
        st.session_state.pop("new_code", None)
        st.info(f"Your personal code is **{code}**. Write it down now: it is shown this once. With "
                "it you can come back to your progress from any browser; anyone who has it can too.")
    else:
        st.caption("Your personal code is ready and hidden, so nobody reads it off your screen (or a projector). "
                   "Show it when only you can see the screen: it is shown once, then never again.")


def sign_in_panel(purpose: str = "keep your progress", expanded: bool = True) -> learners.Learner | None:
    """Show who is signed in (with a sign-out button), or the ways to sign in (folded when `expanded` is False:
    a quiz in progress keeps its question on the first screen). Returns the learner."""
    problem = database_problem()
    if problem:
        st.warning(f"Progress cannot be saved: the database is not reachable ({md_escape(problem)}). "
                   "Set SPS_DATABASE_URL to a reachable database.")
        return None
    learner = current_learner()
    _cookie_sync()
    if learner is not None:
        c1, c2 = st.columns([4, 1])
        c1.markdown(f"Signed in as **{md_escape(learner.display_name)}**.")
        if provider_configured():
            c2.button("Log out", on_click=_log_out, key="logout")
        else:
            c2.button("Sign out", on_click=sign_out, key="signout")
        if st.session_state.get(_FAILED):
            st.caption("This browser could not be told to remember you: after a reload, sign in again.")
        _personal_code()
        return learner
    if provider_configured():
        st.button("Log in", on_click=st.login, key="login", type="primary")
        return None
    with st.expander(f"Sign in to {purpose}", expanded=expanded):
        new, back = st.tabs(["I am new", "I have a personal code"])
        with new:
            with st.form("signup"):
                name = st.text_input("Display name", max_chars=80, help="Shown to you and, as a count only, "
                                     "to a teacher whose class you join. It does not need to be unique.")
                if st.form_submit_button("Start"):
                    try:
                        learner, code = learners.create_with_code(name)
                    except ValueError as exc:
                        st.error(md_escape(exc))
                    else:
                        _remember(learner)
                        st.session_state["new_code"] = code
                        st.rerun()
        with back:
            with st.form("signin"):
                code = st.text_input("Personal code", max_chars=20, placeholder="XXXX-XXXX-XXXX")
                if st.form_submit_button("Continue"):
                    learner = learners.from_code(code)
                    if learner is None:
                        st.error("No learner has that code. Check it, or start as a new learner.")
                    else:
                        _remember(learner)
                        st.session_state.pop("new_code", None)
                        st.rerun()
    return None
