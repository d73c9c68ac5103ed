"""Page-wide look: larger type for projectors, visible keyboard focus, reduced motion respected."""
from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

# The browser tab's icon, served by this site (a `:material/…:` page icon makes every browser fetch it from
# fonts.gstatic.com).
ICON = str(Path(__file__).resolve().parent / "assets" / "favicon.png")

_CSS = """
<style>
:focus-visible { outline: 3px solid #1565c0 !important; outline-offset: 2px; }
.sps-badge { display: inline-block; border: 1px solid #607d8b; border-radius: 0.4rem; padding: 0.05rem 0.45rem;
             margin: 0 0.3rem 0.3rem 0; font-size: 0.85rem; }
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
/* Design diagrams (ui.diagram): drawn at 85 % of their natural size (service names 13.6 px, connection labels
   11.3 px) instead of squeezed to the column (a 14-service pattern's names were 5 px tall); wider than the
   column, the diagram scrolls sideways (the scroller takes keyboard focus in Chromium). */
[data-testid="stGraphVizChart"] { overflow-x: auto; }
[data-testid="stGraphVizChart"] > svg { width: auto !important; height: auto !important; max-width: none !important;
                                        zoom: 0.85; }
</style>
"""


# Canvas pages (designer, classroom, side by side) need the first screen for the canvas: Streamlit's default
# top padding (6rem) and the page title's size cost about 150 px at 1280×720. The header (60 px, white, over the
# page) becomes see-through and lets clicks through except on its own two buttons (sidebar, menu), which sit in
# the page's side margins, so the page can start near the top without anything hiding under it.
_COMPACT_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 1rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.9rem; padding: 0.2rem 0 0.3rem 0; }
[data-testid="stHeader"] { background: transparent; pointer-events: none; }
[data-testid="stHeader"] * { pointer-events: none !important; }       /* its toolbar divs set their own */
[data-testid="stHeader"] button, [data-testid="stHeader"] button *, [data-testid="stHeader"] a,
[data-testid="stHeader"] a * { pointer-events: auto !important; }
</style>
"""

# The classroom's presenter view on a projector (1280×720): narrower side margins (the header's buttons still
# fit in them), one compact row above the canvas; text stays large enough to read from the back of a room
# (the heading 26 px, the rest at least 16 px).
_PRESENTER_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-left: 3.6rem; padding-right: 3.6rem; padding-top: 0.6rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.65rem; padding: 0; line-height: 1.2; }
.st-key-sps-presenter-head p, .st-key-sps-presenter-head label p { font-size: 1.05rem; }
</style>
"""


def apply(compact: bool = False) -> None:
    """The site's CSS (constant text only, never user text). Sent with st.html, which puts a style-only
    block outside the page's layout: a st.markdown block would cost a 16 px row gap each."""
    st.html(_CSS)
    if compact:
        st.html(_COMPACT_CSS)


def presenter_view() -> None:
    """On top of the compact canvas page: the classroom's presenter layout (see _PRESENTER_CSS)."""
    st.html(_PRESENTER_CSS)


def badges(items: list[str]) -> None:
    """Small labelled chips; text is escaped by building it with st.markdown's own escaping rules."""
    import html
    chips = "".join(f'<span class="sps-badge">{html.escape(str(i))}</span>' for i in items)
    st.markdown(chips, unsafe_allow_html=True)


# The one escape for user text (labels, design names, display names, file names, quiz titles, loader
# problems) placed in anything Streamlit renders as Markdown: st.markdown/caption/info/warning/error/success/toast,
# metric, expander, tab, button and radio labels, st.table cells. Measured in Chromium against Streamlit 1.67:
# - a backslash before every ASCII punctuation mark Markdown or Streamlit gives a meaning to stops images, links,
#   emphasis, headings, HTML and `$maths$`, and the `:material/…:` icon rewrite (it looks for the literal
#   `:material/` in the source, hence `/` too);
# - Streamlit's `:red[…]` directives, emoji shortcodes and GFM's bare-URL/e-mail autolinks are found in the
#   *parsed* text, where a backslash no longer is: an invisible WORD JOINER after a colon that could start one
#   (`:word:`, `:word[`, `://`), after `@` and after `www` breaks those patterns (a colon in running text,
#   `at 10:30` or `javascript:alert`, is left alone);
# - bidi controls (which can make text read backwards) and other control characters are dropped, and line
#   breaks become spaces, so one label stays one line.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&/@])")
_WORD_JOINER = "\u2060"
_RISKY_COLON = re.compile(r":(?=[\w+/-]+[:\[]|//)")
_BREAK_AFTER = re.compile(r"(@|(?i:www))")
_DROP = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f"
                   "\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\r\n\u2028\u2029\u0085]+")


def md_escape(text) -> str:
    """User text placed inside Markdown, shown literally: never a link, image, icon, emoji, maths, colour,
    heading or HTML. The only helper for this on the site (tests/test_site_hostile*.py check it in Chromium)."""
    text = _RISKY_COLON.sub("\x00", _LINE_BREAKS.sub(" ", _DROP.sub("", str(text))))   # \x00: dropped above
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = _BREAK_AFTER.sub(lambda m: m.group(1) + _WORD_JOINER, text)
    return text.replace("\x00", "\\:" + _WORD_JOINER)
