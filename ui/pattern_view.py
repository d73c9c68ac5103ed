"""One catalog pattern: summary, diagram, the reasoning, its default run, its design and sources."""
from __future__ import annotations

import streamlit as st

from design.loader import to_yaml
from design.registry import BY_NAME
from patterns.catalog import Pattern
from patterns.schema import PROBLEMS
from ui import diagram, lint_view, style
from ui.limits import simulate
from ui.run_view import show_run


@st.cache_data(show_spinner=False, max_entries=64)
def default_run(pattern_id: str):
    from patterns.catalog import get
    return simulate(get(pattern_id).design, trace=True)


@st.cache_data(show_spinner=False, max_entries=64)
def cost_per_million(pattern_id: str) -> tuple[float | None, str]:
    """The pattern's list-price cost per million events in, under its default scenario (us-east-1)."""
    from patterns.catalog import get
    from simulator.cost import price_run
    bill = price_run(simulate(get(pattern_id).design))
    return bill.per_million_usd, bill.book.as_of


def _bullets(items: list[str]) -> None:
    for item in items:
        st.markdown(f"- {item}")


def show(pattern: Pattern, catalog: dict) -> None:
    kind = "Anti-pattern" if pattern.kind == "anti-pattern" else "Pattern"
    st.header(pattern.title, anchor=False)
    style.badges([kind, f"level: {pattern.level}"] + [BY_NAME[s].title for s in pattern.services])
    st.markdown(pattern.summary)
    if pattern.doc.get("anti_pattern_of"):
        fix = catalog[pattern.doc["anti_pattern_of"]]
        st.info(f"The fix: **{fix.title}**.")
    diagram.show(pattern.design)
    st.page_link("pages/designer.py", label="Open this pattern in the designer", icon=":material/draw:",
                 query_params={"pattern": pattern.id})
    tabs = st.tabs(["How it works", "When to use it", "Failures and trade-offs", "Run it", "Design file", "Sources",
                    "Lint"])
    with tabs[0]:
        st.markdown(pattern.how_it_works)
        st.markdown("**Solves:** " + ", ".join(PROBLEMS[p] for p in pattern.problems))
        if pattern.related:
            st.markdown("**Related:** " + ", ".join(catalog[r].title for r in pattern.related if r in catalog))
    with tabs[1]:
        st.subheader("Use it when", anchor=False)
        _bullets(pattern.when_to_use)
        st.subheader("Avoid it when", anchor=False)
        _bullets(pattern.when_not_to_use)
    with tabs[2]:
        st.subheader("The failure it exists for", anchor=False)
        st.markdown(pattern.failure_behaviour)
        st.subheader("Trade-offs", anchor=False)
        _bullets(pattern.trade_offs)
        usd, as_of = cost_per_million(pattern.id)
        if usd is not None:
            st.metric("Cost per million events in (default scenario, us-east-1 list prices)", f"${usd:,.2f}",
                      help=f"Computed from a simulated run, retries and duplicates included; prices as of {as_of}, "
                           "without the free tier. The run's own breakdown is under “Run it”.")
    with tabs[3]:
        st.markdown(f"**What the default scenario shows.** {pattern.demonstrates}")
        if st.toggle("Run the default scenario", key=f"run-{pattern.id}",
                     help="Runs the simulator on this design with its own scenario (seeded, so always the same)."):
            show_run(default_run(pattern.id), pattern.design, key=f"pat-{pattern.id}")
            other = pattern.doc.get("compare_with")
            if other and other in catalog:
                st.subheader(f"Compare: {catalog[other].title}", anchor=False)
                show_run(default_run(other), catalog[other].design, key=f"cmp-{other}")
        st.page_link("pages/simulate.py", label="Change the scenario in the Simulator",
                     query_params={"pattern": pattern.id})
    with tabs[4]:
        text = to_yaml(pattern.design)
        st.download_button("Download design (YAML)", text, file_name=f"{pattern.id}.yaml", mime="application/x-yaml",
                           key=f"dl-{pattern.id}")
        st.code(text, language="yaml")
    with tabs[5]:
        for source in pattern.sources:
            st.markdown(f"- [{source['title']}]({source['url']})")
    with tabs[6]:
        lint_view.show(pattern.design, pattern_id=pattern.id)
