"""Page-wide look: larger type for projectors, visible keyboard focus, reduced motion respected."""
from __future__ import annotations

import streamlit as st

_CSS = """
<style>
:focus-visible { outline: 3px solid #1565c0 !important; outline-offset: 2px; }
.sps-badge { display: inline-block; border: 1px solid #607d8b; border-radius: 0.4rem; padding: 0.05rem 0.45rem;
             margin: 0 0.3rem 0.3rem 0; font-size: 0.85rem; }
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
</style>
"""


def apply() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)   # constant CSS only; never user text


def badges(items: list[str]) -> None:
    """Small labelled chips; text is escaped by building it with st.markdown's own escaping rules."""
    import html
    chips = "".join(f'<span class="sps-badge">{html.escape(str(i))}</span>' for i in items)
    st.markdown(chips, unsafe_allow_html=True)


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$")


def md_escape(text: str) -> str:
    """User text placed inside Markdown: every Markdown-significant character escaped, so a label can
    never become a link, an image or formatting (HTML is already escaped by Streamlit)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
