"""Home: what the site is and where to start."""
import streamlit as st

from patterns.catalog import load_catalog

catalog = load_catalog()
patterns = [p for p in catalog.values() if p.kind == "pattern"]
anti = [p for p in catalog.values() if p.kind == "anti-pattern"]

st.title("Serverless Pattern Studio", anchor=False)
st.markdown(
    "Learn how event-driven serverless architectures behave **when things go wrong**: duplicates, retries, "
    "timeouts, throttling, outages. Every pattern here comes with a design you can run in a simulator that "
    "follows AWS's documented delivery semantics, so you can see what is processed twice, what is parked in "
    "a dead-letter queue, and what is lost.")
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
        st.page_link("pages/catalog.py", label=f"{p.title} — {p.level}", query_params={"pattern": pid})
st.caption("Numbers in the simulator come from AWS documentation (sources on each pattern page). Where AWS "
           "publishes no figure (natural duplicate rates, backoff curves), the value is illustrative and marked so.")
