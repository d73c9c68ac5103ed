"""Getting a design from the user: a catalog pattern picker and a design-file upload, with the loader's
problems shown escaped (a problem line can quote the file's own keys and ids)."""
from __future__ import annotations

import streamlit as st

from design import DesignError, load_text
from design.model import Design
from ui.style import md_escape


def show_problems(intro: str, problems: list[str], limit: int = 20) -> None:
    st.error(f"{intro}\n\n" + "\n".join(f"- {md_escape(p)}" for p in problems[:limit]))


def load_upload(upload) -> Design | None:
    """The uploaded file as a design, or None after showing why it cannot be one."""
    fmt = "json" if upload.name.lower().endswith(".json") else "yaml"
    try:
        return load_text(upload.getvalue(), fmt, name=upload.name)
    except DesignError as exc:
        show_problems("This file is not a design we can load:", exc.problems)
        return None


def upload_design(key: str, label: str = "Design file (YAML or JSON, at most 10 MiB)") -> Design | None:
    upload = st.file_uploader(label, type=["yaml", "yml", "json"], key=key)
    return load_upload(upload) if upload is not None else None


def pick_pattern(catalog: dict, key: str, default: str = "fan-out-sns") -> str:
    """A catalog pattern id, preselected from the page's `?pattern=` when it names one."""
    ids = list(catalog)
    wanted = st.query_params.get("pattern")
    index = ids.index(wanted) if wanted in ids else ids.index(default) if default in ids else 0
    return st.selectbox("Pattern", ids, index=index, format_func=lambda i: catalog[i].title, key=key)
