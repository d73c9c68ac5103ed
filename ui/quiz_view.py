"""Rendering quiz items, feedback and results. Right and wrong are always said in words with an icon,
never by colour alone; widgets are native Streamlit inputs, so everything is reachable by keyboard."""
from __future__ import annotations

import streamlit as st

from quizzes.bank import load_items
from quizzes.engine import option_order, reason_order
from quizzes.grading import RULES, grade
from quizzes.schema import ITEM_TYPES
from quizzes.topics import title as topic_title
from ui import diagram
from ui.style import md_escape

# Icons are Streamlit's bundled Material Symbols (no emoji font needed); the words carry the meaning.
OK, WRONG, PART, LATE, MISSED = (":material/check_circle:", ":material/cancel:", ":material/contrast:",
                                 ":material/timer_off:", ":material/error:")
VERDICT_WORDS = {"correct choice": f"{OK} your choice — right", "wrong choice": f"{WRONG} your choice — wrong",
                 "missed": f"{MISSED} right answer you did not choose", "not chosen": "not chosen — correctly"}


def quiz_text(item, text: str) -> str:
    """A quiz text as Markdown. The curated bank's own markup (bold, code) is kept; every other item (generated
    from a learner's design: its labels and name are in the stem and options) is escaped as a whole."""
    return text if item.bank != "generated" and load_items().get(item.id) is not None else md_escape(text)


def verdict_line(score: float, late: bool = False) -> str:
    if late:
        return f"{LATE} **Too late** — answered after the time limit, so it scores 0."
    if score >= 1 - 1e-9:
        return f"{OK} **Correct** — 1 point."
    if score > 0:
        return f"{PART} **Partly right** — {score:.2f} of 1 point."
    return f"{WRONG} **Not right** — 0 points."


def show_item(item, seed: int, key: str, number: int, total: int) -> dict | None:
    """The question as a form; returns the response when submitted, else None."""
    st.markdown(f"#### Question {number} of {total}")
    st.caption(f"{ITEM_TYPES[item.type]['title']} · {item.difficulty} · "
               + ", ".join(topic_title(t) for t in item.topics))
    st.markdown(quiz_text(item, item.stem))
    if item.design is not None:
        diagram.show(item.design)
    texts = {o.id: quiz_text(item, o.text) for o in item.options + item.reasons}
    order = option_order(item, seed)
    with st.form(key=f"form-{key}"):
        response = None
        if item.kind == "one":
            choice = st.radio("Your answer", order, index=None, format_func=texts.get, key=f"r-{key}")
            response = {"selected": [choice] if choice else []}
        elif item.kind == "many":
            st.markdown("Choose every option that applies:")
            picked = [o for o in order if st.checkbox(texts[o], key=f"c-{key}-{o}")]
            response = {"selected": picked}
        elif item.kind == "order":
            plain = {o.id: o.text for o in item.options}     # a multiselect shows its options as plain text
            picked = st.multiselect("Choose the steps in order, first to last", order, format_func=plain.get,
                                    key=f"o-{key}", placeholder="Pick the first step, then the next…")
            response = {"order": picked}
        else:
            label = st.radio("Choreography or orchestration?", order, index=None, format_func=texts.get,
                             key=f"l-{key}", horizontal=True)
            reason = st.radio("Why?", reason_order(item, seed), index=None, format_func=texts.get,
                              key=f"w-{key}")
            response = {"label": label, "reason": reason}
        st.caption("Scoring: " + RULES[item.kind])
        if st.form_submit_button("Submit answer", type="primary"):
            return response
    return None


def show_feedback(item, response: dict, score: float, late: bool = False) -> None:
    """The verdict, then every option with whether it was chosen and why it is right or wrong."""
    st.markdown(verdict_line(score, late))
    g = grade(item, response)
    if item.kind == "order":
        st.markdown("**The correct order:**")
        chosen = response.get("order") or []
        for pos, oid in enumerate(item.answer, 1):
            o = item.option(oid)
            mark = f"{OK} you placed it here" if pos <= len(chosen) and chosen[pos - 1] == oid else \
                f"{WRONG} you placed it elsewhere"
            st.markdown(f"{pos}. {quiz_text(item, o.text)} — {mark}. {quiz_text(item, o.explanation)}")
    else:
        for group, options in (("Options", item.options), ("Reasons", item.reasons)):
            if not options:
                continue
            if item.reasons:
                st.markdown(f"**{group}**")
            for o in options:
                words = VERDICT_WORDS.get(g.verdicts.get(o.id, ""), "")
                right = "right answer" if o.correct else "wrong answer"
                st.markdown(f"- **{quiz_text(item, o.text)}** ({right}; {words}). {quiz_text(item, o.explanation)}")
    if item.explanation:
        st.markdown(f"**Why:** {quiz_text(item, item.explanation)}")
    if item.sources:
        st.caption("Sources: " + " · ".join(f"[{i + 1}]({u})" for i, u in enumerate(item.sources)))


def show_results(session, items: dict) -> None:
    total, n = session.score(), len(session.item_ids)
    pct = 100 * total / n if n else 0
    st.metric("Score", f"{total:g} / {n}", f"{pct:.0f} %", delta_color="off")
    rows = [{"topic": topic_title(t), "points": s["score"], "questions": s["items"],
             "percent": round(100 * s["score"] / s["items"], 1)} for t, s in session.by_topic(items).items()]
    if rows:
        st.markdown("**Score per topic** (percent of points, higher is better)")
        st.bar_chart(rows, x="topic", y="percent", horizontal=True, height=max(200, 34 * len(rows)))
        st.dataframe(rows, hide_index=True)
    late = sum(1 for a in session.answers.values() if a.late)
    unanswered = n - len(session.answers)
    if late or unanswered:
        st.caption(f"{late} answered after the time limit (scored 0); {unanswered} not answered (scored 0).")
