"""Choreography vs orchestration: the comparison, the two designs, and their runs side by side."""
import streamlit as st

from patterns.catalog import load_catalog, load_comparisons
from ui import diagram
from ui.limits import cap_notice
from ui.pattern_view import default_run
from ui.run_view import metrics_rows

catalog = load_catalog()
comparison = load_comparisons()["choreography-vs-orchestration"]
left, right = catalog[comparison["left"]], catalog[comparison["right"]]

st.title(comparison["title"], anchor=False)
st.markdown(comparison["summary"])
st.table([{"": d["name"], left.title: d["left"], right.title: d["right"]} for d in comparison["dimensions"]])
c1, c2 = st.columns(2)
for col, pattern, when in ((c1, left, comparison["choose_left_when"]), (c2, right, comparison["choose_right_when"])):
    with col:
        st.subheader(f"Choose {pattern.title.lower()} when", anchor=False)
        for item in when:
            st.markdown(f"- {item}")
        diagram.show(pattern.design)
        st.page_link("pages/catalog.py", label=f"Read about {pattern.title}", query_params={"pattern": pattern.id})
if comparison.get("hybrid"):
    st.subheader("Both at once", anchor=False)
    st.markdown(comparison["hybrid"])
st.subheader("The same order flow, simulated", anchor=False)
if st.toggle("Run both default scenarios", key="cmp-run"):
    c1, c2 = st.columns(2)
    for col, pattern in ((c1, left), (c2, right)):
        with col:
            run = default_run(pattern.id)
            cap_notice(run)
            titles = {n.id: n.title for n in pattern.design.nodes}
            st.markdown(f"**{pattern.title}** — {run.hops:,} hops; processed {run.totals['processed']:,}, "
                        f"dead-lettered {run.totals['dead_lettered']:,}, dropped {run.totals['dropped']:,}")
            st.dataframe(metrics_rows(run, titles), hide_index=True)
for source in comparison["sources"]:
    st.markdown(f"- [{source['title']}]({source['url']})")
