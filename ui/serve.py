"""Start the site the way `make run` does: `python -m ui.serve run app.py [streamlit options]`.

Streamlit still treats a `pages/` folder next to the main script as a legacy (v1) multipage app until
`st.navigation` has run once in the process. A first visitor who opens a deep link (a classroom link,
`/designer?run=…`) would then get that page run on its own, without app.py's navigation and style.
Declaring up front that the app uses `st.navigation` — the flag Streamlit itself sets when it first sees
`st.navigation` — makes every run start from app.py, so deep links work from the first request.
"""
from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
