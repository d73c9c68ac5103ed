"""The catalog: search and filter patterns; show one with its diagram, text, run and sources."""
import streamlit as st

from design.registry import BY_NAME
from patterns.catalog import load_catalog
from patterns.schema import LEVELS, PROBLEMS
from patterns.search import filter_patterns
from ui import pattern_view

catalog = load_catalog()
st.title("Pattern catalog", anchor=False)

with st.container(border=True):
    query = st.text_input("Search", placeholder="e.g. duplicates, saga, EventBridge", key="q")
    c1, c2, c3, c4 = st.columns(4)
    services = c1.multiselect("Uses service", sorted({s for p in catalog.values() for s in p.services}),
                              format_func=lambda s: BY_NAME[s].title)
    levels = c2.multiselect("Level", LEVELS)
    problems = c3.multiselect("Problem solved", list(PROBLEMS), format_func=PROBLEMS.get)
    kinds = c4.multiselect("Kind", ["pattern", "anti-pattern"])

found = filter_patterns(catalog, query, services, levels, problems, kinds)
st.caption(f"{len(found)} of {len(catalog)} shown")
if not found:
    st.info("Nothing matches. Clear a filter or try another word.")
    st.stop()

ids = [p.id for p in found]
wanted = st.query_params.get("pattern")
index = ids.index(wanted) if wanted in ids else 0
listing, detail = st.columns([1, 3], gap="large")
with listing:
    chosen = st.radio("Patterns", ids, index=index, key="chosen",
                      format_func=lambda i: catalog[i].title + (" (anti-pattern)" if catalog[i].kind == "anti-pattern"
                                                                  else ""))
if chosen != wanted:
    st.query_params["pattern"] = chosen
with detail:
    pattern_view.show(catalog[chosen], catalog)
    from ui import live_teacher            # lazy: the catalog's own imports stay as they are
    live_teacher.start_button_for(catalog[chosen].design, catalog[chosen].design.scenario, catalog[chosen].title,
                                  key=f"live-{chosen}")
