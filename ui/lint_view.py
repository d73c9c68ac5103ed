"""Lint findings for a design: severity shown by an icon, a word AND a colour (never colour alone), the
place in the design, and the fix when one exists. Labels come from user files, so all text is escaped."""
from __future__ import annotations

import streamlit as st

from design.model import Design
from lint import lint, summary
from lint.registry import ANTI_PATTERN_RULES, rule_by_id
from ui.style import md_escape

# severity → (icon, word, Streamlit colour name); Material icons ship with Streamlit, so they never depend
# on an emoji font being installed
LOOK = {"error": (":material/error:", "Error", "red"), "warning": (":material/warning:", "Warning", "orange"),
        "info": (":material/info:", "Info", "blue")}


def finding_markdown(finding: dict) -> str:
    icon, word, colour = LOOK[finding["severity"]]
    rule = rule_by_id(finding["id"])
    lines = [f":{colour}[{icon} **{word} · {finding['id']}**] — {md_escape(rule.description)}",
             "", md_escape(finding["message"]), "",
             f"Where: {md_escape(finding['path'])} · [why]({rule.source})"]
    if "fix" in finding:
        lines.append(f"\n:material/build: Fix available: **{md_escape(finding['fix']['label'])}**")
    return "\n".join(lines)


def show(design: Design, *, pattern_id: str | None = None, collapsed: bool = False) -> list[dict]:
    """Render the findings (in an expander titled with the counts when `collapsed`); returns them."""
    findings = lint(design)
    title = f"Lint: {summary(findings)}"
    box = st.expander(title, expanded=False) if collapsed else st.container()
    with box:
        if not collapsed:
            st.subheader(title, anchor=False)
        if pattern_id in ANTI_PATTERN_RULES:
            rule = rule_by_id(ANTI_PATTERN_RULES[pattern_id])
            st.markdown(f"This anti-pattern is what rule **{rule.id}** ({rule.name}) looks for: "
                        f"{md_escape(rule.description.lower())}.")
        if not [f for f in findings if f["severity"] != "info"]:
            more = " The notes below are worth a look." if findings else ""
            st.markdown(":green[:material/check_circle:] No errors or warnings." + more)
        for finding in findings:
            with st.container(border=True):
                st.markdown(finding_markdown(finding))
        st.caption(":material/error: Error: AWS would refuse to deploy it · :material/warning: Warning: it deploys, "
                   "but loses, duplicates or stalls events · :material/info: Info: worth knowing. "
                   "`python -m lint DESIGN` prints the same list.")
    return findings
