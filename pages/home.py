"""Home: what the site is, a three-minute walkthrough for a first visit, and where to start."""
import streamlit as st

from patterns.catalog import load_catalog
from ui import identity
from ui.playback import TOUR, TOUR_PATTERN, TOUR_QUESTION

catalog = load_catalog()
patterns = [p for p in catalog.values() if p.kind == "pattern"]
anti = [p for p in catalog.values() if p.kind == "anti-pattern"]

st.title("Serverless Pattern Studio", anchor=False)
st.markdown(
    "Learn how event-driven serverless architectures behave **when things go wrong**: duplicates, retries, "
    "timeouts, throttling, outages. Every pattern here comes with a design you can run in a simulator that "
    "follows AWS's documented delivery semantics, so you can see what is processed twice, what is parked in "
    "a dead-letter queue, and what is lost.")


def walkthrough() -> None:
    """Five steps, about three minutes: the designer opens with the fan-out pattern and the walkthrough's
    scenario (a failing consumer, a duplicating connection) preloaded, and its panels say what to do next; the
    last step is one quiz question."""
    tour = {"pattern": TOUR_PATTERN, "scenario": TOUR}
    title = catalog[TOUR_PATTERN].title if TOUR_PATTERN in catalog else "Fan-out"
    steps, go = st.columns([2.3, 1], gap="medium")
    steps.markdown(
        f"1. **Open the fan-out pattern** (*{title}*): one order event, three consumers.\n"
        "2. **Inject a duplicate and a failure**: preloaded for you — confirmations fail one attempt in two, "
        "the analytics queue gets duplicates.\n"
        "3. **Play**: press *Run and play* and watch ten orders travel, fail, retry and land.\n"
        "4. **Read where each event ended**: processed, retried, parked in a dead-letter queue.\n"
        "5. **Answer one question** about why each consumer has its own queue.")
    with go:
        st.page_link("pages/designer.py", label="Start the walkthrough", icon=":material/draw:",
                     query_params=tour, width="stretch")
        st.caption("It opens fan-out in the designer; steps 2 to 4 happen there, and the panel under the "
                   "canvas says what to do next.")
        st.page_link("pages/quiz.py", label="Step 5: the question", icon=":material/quiz:",
                     query_params={"question": TOUR_QUESTION}, width="stretch")


first_visit = identity.database_problem() is not None or identity.current_learner() is None
if first_visit:
    with st.container(border=True, key="walkthrough"):
        st.subheader("First time here? A three-minute walkthrough", anchor=False)
        walkthrough()
else:
    with st.expander("The three-minute walkthrough", icon=":material/tour:"):
        walkthrough()

st.subheader("Where to start", anchor=False)
c1, c2, c3 = st.columns(3)
with c1:
    st.markdown(f"**1 · Browse the catalog.** {len(patterns)} patterns and {len(anti)} anti-patterns: what each "
                "is, when to use it, when not, and the failure it exists for.")
    st.page_link("pages/catalog.py", label="Open the catalog", icon=":material/menu_book:")
with c2:
    st.markdown("**2 · Compare choreography and orchestration.** The question every event-driven design "
                "meets first, dimension by dimension.")
    st.page_link("pages/compare.py", label="Compare them", icon=":material/compare_arrows:")
with c3:
    st.markdown("**3 · Break things on purpose.** Run a pattern in the simulator, inject duplicates, failures "
                "and outages, and watch where every event ends up.")
    st.page_link("pages/simulate.py", label="Open the simulator", icon=":material/play_circle:")
st.subheader("Good first patterns", anchor=False)
for pid in ("async-processing", "fan-out-sns", "storage-first", "saga"):
    if pid in catalog:
        p = catalog[pid]
        st.page_link("pages/catalog.py", label=f"{p.title} — {p.level}", query_params={"pattern": pid},
                     icon=":material/arrow_forward:")   # an icon: without one the link reads as plain text
st.caption("Numbers in the simulator come from AWS documentation (sources on each pattern page). Where AWS "
           "publishes no figure (natural duplicate rates, backoff curves), the value is illustrative and marked so.")
