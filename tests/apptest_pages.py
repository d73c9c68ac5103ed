"""Open one page of the whole site (app.py's st.navigation) in Streamlit's AppTest, with query parameters."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, timeout: int = 90, **query) -> AppTest:
    """The site as a visitor opening `page` (e.g. "pages/simulate.py") by link: no exception on the way."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
