"""Teacher: create a class quiz with a join code, and see the class's per-item results (aggregate only)."""
from __future__ import annotations

import secrets

import streamlit as st

from patterns.schema import LEVELS
from quizzes.bank import load_items
from quizzes.engine import MODES, QuizError, Spec, select
from quizzes.topics import all_topics
from store import classes
from ui.style import md_escape


def create_form(teacher) -> None:
    topics = all_topics()
    with st.form("new-class"):
        st.markdown("**New class quiz** — every learner gets the same questions (shuffled per learner).")
        title = st.text_input("Title", max_chars=200, placeholder="Week 3: choreography vs orchestration")
        chosen = st.multiselect("Topics (none = all)", list(topics), format_func=topics.get)
        levels = st.multiselect("Difficulty (none = all)", list(LEVELS))
        c1, c2, c3 = st.columns(3)
        size = c1.number_input("Questions", 1, 50, 10)
        mode = c2.selectbox("Mode", list(MODES), format_func=lambda m: MODES[m]["title"])
        minutes = c3.number_input("Time limit (minutes, timed exam)", 1, 180, 15)
        if st.form_submit_button("Create class quiz", type="primary"):
            spec = Spec(topics=tuple(chosen), difficulties=tuple(levels), size=int(size),
                        seed=secrets.randbelow(2**31), mode=mode,
                        time_limit_s=int(minutes * 60) if MODES[mode]["timed"] else None, title=title.strip())
            try:
                ids = select(load_items(), spec)
                klass = classes.create(teacher.key, title, Spec(**{**spec.__dict__, "item_ids": tuple(ids),
                                                                   "size": len(ids)}))
            except (QuizError, ValueError) as exc:
                st.error(md_escape(exc))
                return
            st.success(f"Created. Learners join with the code **{klass.code}** on the Quiz page "
                       "(Class quiz → join code).")


def results(teacher) -> None:
    mine = classes.owned(teacher.key)
    if not mine:
        st.markdown("You have no class quizzes yet.")
        return
    klass = st.selectbox("Class quiz", mine, format_func=lambda c: f"{c.title} — code {c.code}", key="teacher-class")
    data = classes.results(teacher.key, klass.id)
    c = st.columns(4)
    c[0].metric("Joined", data["members"])
    c[1].metric("Attempts", data["attempts"])
    c[2].metric("Finished", data["finished"])
    c[3].metric("Mean score", "—" if data["mean_score"] is None else f"{data['mean_score']:g} / {data['max_score']}")
    items = load_items()
    rows = []
    for n, entry in enumerate(data["items"], 1):
        item = items.get(entry["item_id"])
        texts = {o.id: o.text for o in (item.options + item.reasons)} if item else {}
        shown = entry["mean_score"] is not None
        rows.append({"#": n, "question": (item.stem[:80] + "…") if item else entry["item_id"],
                     "answered": entry["answered"],
                     "mean score": entry["mean_score"],
                     "fully right": f"{entry['fully_correct']} of {entry['answered']}" if shown else "—",
                     "choices": "; ".join(f"{texts.get(k, k)[:40]} × {v}" for k, v in entry["choices"].items())
                     if shown else ("withheld" if entry.get("withheld") else "—")})
    st.markdown("**Per question** (aggregate over the class; individual answers are never shown)")
    st.caption(f"A question's results appear once at least {data['min_group']} learners have answered it, and "
               f"the mean score once {data['min_group']} have finished: in a smaller group the totals would "
               "show what each learner answered.")
    st.dataframe(rows, hide_index=True)
    answered = [r for r in rows if r["mean score"] is not None]
    if answered:
        st.bar_chart([{"question": f"Q{r['#']}", "mean score": r["mean score"]} for r in answered],
                     x="question", y="mean score")


def live_sessions(teacher) -> None:
    """The teacher's live sessions: resume a running one (after closing its tab), end it, see the class results
    of each (aggregate only, from the minimum group size)."""
    from store import live
    try:
        running = live.owned(teacher.key)
        every = live.owned(teacher.key, active_only=False)
    except Exception as exc:  # noqa: BLE001 — the database is down: say so, keep the page
        st.warning(f"Live sessions cannot be read now ({type(exc).__name__}); reconnecting on the next visit.")
        return
    if not every:
        st.markdown("No live sessions yet: start one from a classroom link (Classroom page) or a catalog pattern.")
        return
    for s in running:
        c1, c2 = st.columns([4, 1])
        c1.page_link("pages/live.py", label=f"Resume “{md_escape(s.title)}” (code {s.code})", query_params={"session": str(s.id)},
                     icon=":material/play_circle:")
        if c2.button("End", key=f"end-live-{s.id}"):
            live.end(teacher.key, s.id)
            st.rerun()
    pick = st.selectbox("Results of a live session", every, key="teacher-live",
                        format_func=lambda s: f"{s.title} — code {s.code}" + ("" if s.active() else " (ended)"))
    data = live.results(teacher.key, pick.id)
    if not data["questions"]:
        st.caption("No questions were asked in this session.")
        return
    st.caption(f"Per question, how many answered; how many were right once at least {data['min_group']} answered "
               "(in a smaller group the totals would show what each student chose).")
    st.dataframe([{"#": n, "hop": q["hop"], "question": q["stem"][:90], "answered": q["answered"],
                   "right": "—" if q["withheld"] or q["right"] is None else f"{q['right']} of {q['answered']}"}
                  for n, q in enumerate(data["questions"], 1)], hide_index=True)
