"""The properties panel: typed widgets (the registry's ranges and defaults) for the selected service or
connection; EventBridge patterns and SNS filter policies as JSON, checked before they are applied.
Labels from the design are shown as text (st.text / widget labels / escaped markdown), never as HTML."""
from __future__ import annotations

import streamlit as st

from design.connections import EDGE_KINDS, allowed_kinds
from design.props import BOOL, ENUM, FLOAT, INT, MAPPING, NODE_REF, PATTERN, Prop
from design.registry import BY_NAME
from designer.forms import clean_value, describe_prop, edge_props_for, json_text, parse_json_field, prop_label
from ui import canvas_session as cs
from ui.style import md_escape


def _widget(prop: Prop, value, key: str, node_ids: list[str]):
    help_text = describe_prop(prop) or None
    label = prop_label(prop)
    if prop.kind == BOOL:
        return st.checkbox(label, value=bool(value if value is not None else prop.default), key=key, help=help_text)
    if prop.kind in (INT, FLOAT):
        cast = int if prop.kind == INT else float
        current = value if value is not None else prop.default
        return st.number_input(
            label, min_value=cast(prop.minimum) if prop.minimum is not None else None,
            max_value=cast(prop.maximum) if prop.maximum is not None else None,
            value=cast(current) if current is not None else None, step=cast(1) if prop.kind == INT else None,
            key=key, help=help_text, placeholder="unset (service default)")
    if prop.kind == ENUM:
        options = list(prop.choices)
        current = value if value in options else prop.default
        return st.selectbox(label, options, index=options.index(current) if current in options else 0, key=key,
                            help=help_text)
    if prop.kind == NODE_REF:
        options = ["(none)"] + node_ids
        return st.selectbox(label, options, index=options.index(value) if value in options else 0, key=key,
                            help=help_text)
    if prop.kind in (MAPPING, PATTERN):
        return st.text_area(label + " (JSON)", json_text(value), key=key, help=help_text, height=110)
    return st.text_input(label, "" if value is None else str(value), key=key, help=help_text)


def _read(props: list[Prop], prefix: str, current: dict, scope: str | None) -> tuple[dict, list[str]]:
    values, problems = dict(current), []
    for prop in props:
        raw = st.session_state.get(f"{prefix}-{prop.name}")
        if prop.kind in (MAPPING, PATTERN):
            value, found = parse_json_field(raw or "", prop, scope)
            problems += found
        else:
            value = clean_value(prop, raw)
        if value is None:
            values.pop(prop.name, None)
        else:
            values[prop.name] = value
    return values, problems


def _apply_node(node_id: str, prefix: str) -> None:
    s = cs.get()
    node = s.design.node(node_id)
    props = list(BY_NAME[node.type].props)
    values, problems = _read(props, prefix, node.props, None)
    if problems:
        cs.say(s, "Not applied: " + "; ".join(problems[:5]), "error")
        return
    cs.handle_edit({"op": "set_node", "id": node_id, "label": st.session_state.get(f"{prefix}-label", node.label),
                    "props": values})


def _apply_edge(edge_key: str, prefix: str, kind: str) -> None:
    s = cs.get()
    edge = next(e for e in s.design.edges if e.key == edge_key)
    props = edge_props_for(kind, edge.props)
    scope = st.session_state.get(f"{prefix}-filter_policy_scope") or edge.props.get("filter_policy_scope")
    values, problems = _read(props, prefix, edge.props, scope)
    if problems:
        cs.say(s, "Not applied: " + "; ".join(problems[:5]), "error")
        return
    cs.handle_edit({"op": "set_edge", "key": edge_key, "kind": st.session_state.get(f"{prefix}-kind"),
                    "props": values})


def node_panel(s, node) -> None:
    spec = BY_NAME[node.type]
    st.markdown(f"**{md_escape(node.title)}** · {md_escape(spec.title)} (`{node.id}`)")
    st.caption(spec.description)
    prefix = f"np-{s.version}-{node.id}"
    with st.form(f"form-{prefix}", border=False):
        st.text_input("Label", node.label, key=f"{prefix}-label", max_chars=200)
        ids = [n.id for n in s.design.nodes if n.id != node.id]
        for prop in spec.props:
            _widget(prop, node.props.get(prop.name), f"{prefix}-{prop.name}", ids)
        st.form_submit_button("Apply changes", type="primary", on_click=_apply_node, args=(node.id, prefix))
    st.caption("† illustrative: AWS publishes no figure. “Exported, not simulated”: the template carries it, the "
               "simulator does not model it. Blank number = the service's default.")


def edge_panel(s, edge) -> None:
    nodes = s.design.node_map()
    src, dst = nodes[edge.source], nodes[edge.target]
    st.markdown(f"**{md_escape(src.title)} → {md_escape(dst.title)}**")
    kinds = list(allowed_kinds(src.type, dst.type))
    kind = s.design.kind_of(edge)
    prefix = f"ep-{s.version}-{edge.key}"
    with st.form(f"form-{prefix}", border=False):
        st.selectbox("Kind", kinds, index=kinds.index(kind) if kind in kinds else 0, key=f"{prefix}-kind",
                     format_func=lambda k: f"{k} — {EDGE_KINDS.get(k, '')}")
        ids = [n.id for n in s.design.nodes]
        for prop in edge_props_for(kind, edge.props):
            _widget(prop, edge.props.get(prop.name), f"{prefix}-{prop.name}", ids)
        st.form_submit_button("Apply changes", type="primary", on_click=_apply_edge, args=(edge.key, prefix, kind))
    st.caption("Patterns and filter policies are checked by the simulator's own matchers before they apply. "
               "Change the kind, apply, and the properties for that kind appear.")


def _connect() -> None:
    src, dst, kind = (st.session_state.get(k) for k in ("cn-src", "cn-dst", "cn-kind"))
    cs.handle_edit({"op": "connect", "source": src, "target": dst, "kind": None if kind == "(inferred)" else kind})


def design_panel(s) -> None:
    st.markdown(f"**{md_escape(s.design.name)}** — {len(s.design.nodes)} services, {len(s.design.edges)} connections")
    st.caption("Select a service or a connection on the canvas to edit it. Shift-drag or Ctrl-click selects "
               "several.")
    if len(s.design.nodes) >= 2:
        with st.form("connect-form", border=True):
            st.markdown("**Connect two services** (keyboard friendly)")
            titles = {n.id: f"{n.title} ({n.id})" for n in s.design.nodes}
            st.selectbox("From", list(titles), key="cn-src", format_func=titles.get)
            st.selectbox("To", list(titles), index=1, key="cn-dst", format_func=titles.get)
            st.selectbox("Kind", ["(inferred)"] + list(EDGE_KINDS), key="cn-kind")
            st.form_submit_button("Connect", on_click=_connect)


def show(s) -> None:
    selected = s.selected
    nodes = s.design.node_map()
    picked_nodes = [nodes[n] for n in selected["nodes"] if n in nodes]
    edges = {e.key: e for e in s.design.edges}
    picked_edges = [edges[k] for k in selected["edges"] if k in edges]
    if len(picked_nodes) == 1 and not picked_edges:
        node_panel(s, picked_nodes[0])
    elif len(picked_edges) == 1 and not picked_nodes:
        edge_panel(s, picked_edges[0])
    elif picked_nodes or picked_edges:
        st.markdown(f"**{len(picked_nodes)} services and {len(picked_edges)} connections selected**")
        st.text("\n".join(n.title for n in picked_nodes[:30]))
        st.button("Delete the selection", key="del-sel", on_click=cs.handle_edit,
                  args=({"op": "delete", "nodes": [n.id for n in picked_nodes],
                         "edges": [e.key for e in picked_edges]},))
    else:
        design_panel(s)
