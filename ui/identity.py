"""Who is using the site: Streamlit's st.login when an identity provider is configured, else a display name
with a personal code. The learner key lives in session state; pages call `current_learner()`."""
from __future__ import annotations

import streamlit as st

from store import learners
from store.db import open_database
from ui.style import md_escape

KEY = "learner_key"


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
    return learners.get(key) if key else None


def sign_out() -> None:
    """Forget everything this browser session holds, not only who is signed in: the quiz in progress (and the
    attempt its answers are written to), the designer's canvas and session saves, the personal code, every
    widget's value. The next person in this tab starts as a stranger (a sign-out that kept the quiz wrote the
    next learner's answers into the previous learner's attempt)."""
    st.session_state.clear()


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


def sign_in_panel(purpose: str = "keep your progress") -> learners.Learner | None:
    """Show who is signed in (with a sign-out button), or the ways to sign in. Returns the learner."""
    problem = database_problem()
    if problem:
        st.warning(f"Progress cannot be saved: the database is not reachable ({md_escape(problem)}). "
                   "Set SPS_DATABASE_URL to a reachable database.")
        return None
    learner = current_learner()
    if learner is not None:
        c1, c2 = st.columns([4, 1])
        c1.markdown(f"Signed in as **{md_escape(learner.display_name)}**.")
        if provider_configured():
            c2.button("Log out", on_click=_log_out, key="logout")
        else:
            c2.button("Sign out", on_click=sign_out, key="signout")
        _personal_code()
        return learner
    if provider_configured():
        st.button("Log in", on_click=st.login, key="login", type="primary")
        return None
    with st.expander(f"Sign in to {purpose}", expanded=True):
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
                        st.session_state[KEY] = learner.key
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
                        st.session_state[KEY] = learner.key
                        st.session_state.pop("new_code", None)
                        st.rerun()
    return None
