"""Designer: draw a design on the canvas (or start from a catalog pattern), edit its properties, run a
scenario and watch every event travel, fail, retry and land."""
import streamlit as st

from ui import canvas_files, canvas_page, canvas_props, playback
from ui import canvas_session as cs
from ui.canvas import canvas

canvas_page.setup("Designer")

s = cs.get()
cs.load_from_query()
found = canvas_files.findings(s.design)
last = playback.current(s)
bar = st.columns([2.2, 1.3, 1.2, 1.3], gap="small", vertical_alignment="center")
bar[0].title("Designer", anchor=False,
             help="Drag services or whole catalog patterns from the palette, connect them (the registry refuses "
                  "what AWS would not allow, and says why), then run a scenario and play it on the canvas.")
show_props = bar[1].toggle("Properties panel", value=True, key="designer-props",
                           help="Hide it to give the canvas the whole width (a projector, a wide pattern)")
with bar[2]:
    canvas_files.download_template(s.design, key="designer-dl")
with bar[3]:
    canvas_files.download_starter(s.design, key="designer-dl")
if show_props:
    left, right = st.columns([4, 1], gap="small")
else:
    left, right = st.container(), None
with left:
    canvas(cs.canvas_data(s, findings=found, playback=last["payload"] if last else None), key=cs.CANVAS_KEY,
           on_edit=cs.handle_edit)
    playback.summary_line(s)
if right is not None:
    with right.container(height=760, border=False):
        st.subheader("Properties", anchor=False)
        canvas_props.show(s)

def share_with_class(s) -> None:
    canvas_files.share(s)
    from ui import live_teacher        # only when the tab is open
    from designer.forms import default_scenario
    live_teacher.start_button_for(s.design, s.scenario or default_scenario(s.design), s.design.name,
                                  key="designer-live")


# Tabs render only when open (each open tab costs a rerun; a closed one costs nothing at 100 nodes).
tabs = st.tabs(["Run a scenario", "Results and charts", "Save and open", "Share with a class", "Checks"],
               key="designer-tabs", on_change="rerun")
panels = (playback.scenario_form, playback.results, canvas_files.files, share_with_class,
          lambda s: canvas_files.lint_panel(found))
for tab, panel in zip(tabs, panels):
    if tab.open:
        with tab:
            panel(s)
