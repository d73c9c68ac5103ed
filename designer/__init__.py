"""The designer's pure helpers: layout, edit operations and history, shareable links, playback frames,
side-by-side comparison. No streamlit here (the site's `ui/canvas*.py` and `pages/designer.py` use these)."""
