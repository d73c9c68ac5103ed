"""Start the site the way `make run` does: `python -m ui.serve run app.py [streamlit options]`.

Streamlit still treats a `pages/` folder next to the main script as a legacy (v1) multipage app until
`st.navigation` has run once in the process. A first visitor who opens a deep link (a classroom link,
`/designer?run=…`) would then get that page run on its own, without app.py's navigation and style.
Declaring up front that the app uses `st.navigation` — the flag Streamlit itself sets when it first sees
`st.navigation` — makes every run start from app.py, so deep links work from the first request.

The settings are in `.streamlit/config.toml` beside app.py (Streamlit reads it whatever the working folder).
Two more things only a served site needs:
- a page that fails shows visitors the exception's type, never a traceback with the server's paths (unless
  `--client.showErrorDetails` is given); the log keeps the full traceback;
- the server never asks the internet for its own address: besides the start-up banner (off through
  `browser.serverAddress`), Streamlit asks checkip.amazonaws.com when a WebSocket arrives from an origin
  that is not the page's own, so anyone's cross-origin page could make this server call out.
"""
from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def no_external_ip_lookup() -> None:
    from streamlit import net_util
    net_util.get_external_ip = lambda: None     # looked up on the module at call time (server_util, bootstrap)


def main() -> None:
    PagesManager.uses_pages_directory = False
    no_external_ip_lookup()
    args = sys.argv[1:]
    if args[:1] == ["run"] and not any(a.startswith("--client.showErrorDetails") for a in args):
        args += ["--client.showErrorDetails", "type"]
    sys.argv = ["streamlit", *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
