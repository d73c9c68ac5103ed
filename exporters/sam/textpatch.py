"""Edits applied to a template's own text, so everything not edited stays byte for byte (comments, key order,
quoting, blank lines, the author's indentation).

An edit is `("set", path, value)` (replace or add a mapping key, or replace a list item), `("del", path)` or
`("append", path, value)` (a new last item of the list at `path`). Each is located with PyYAML's composer (node
positions, nothing constructed) and spliced in: block collections get whole lines at the neighbours'
indentation; inside flow collections (`[a, b]`, `{k: v}`) the outermost flow collection is rewritten in flow
style. What cannot be located safely raises Unpatchable, and the caller writes the whole template instead.
"""
from __future__ import annotations

import yaml

from exporters import cfn_yaml


class Unpatchable(Exception):
    pass


def _compose(text: str):
    from importers.cfn_yaml import TemplateLoader
    try:
        return yaml.compose(text, Loader=TemplateLoader)
    except yaml.YAMLError as exc:
        raise Unpatchable(str(exc)) from None


def _is_intrinsic(node) -> bool:
    return bool(node.tag) and node.tag.startswith("!")


def _locate(root, path):
    """[(node, parent, key_node_or_index)] for each step of `path` (root first)."""
    chain = [(root, None, None)]
    node = root
    for step in path:
        if _is_intrinsic(node):
            raise Unpatchable("inside an intrinsic function")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    chain.append((value, node, key))
                    node = value
                    break
                if isinstance(key, yaml.ScalarNode) and key.value == "<<":
                    raise Unpatchable("merge keys")
            else:
                raise KeyError(step)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            chain.append((node.value[step], node, step))
            node = node.value[step]
        else:
            raise KeyError(step)
    return chain


def _content_end(text: str, node) -> int:
    """Index just after the last character that belongs to `node` (trailing blank lines and comments excluded)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
        end = node.end_mark.index
        start = node.start_mark.index
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
        return end
    last = node.value[-1]
    return _content_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Index just after the newline ending the line that holds `index - 1` (or the end of the text)."""
    nl = text.find("\n", max(index - 1, 0))
    return len(text) if nl < 0 else nl + 1


def _dump(value) -> str:
    return cfn_yaml.dump(value)


def _indent(block: str, col: int) -> str:
    lines = block.rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [(" " * col + line) if line else line for line in lines[1:]])


def _render_pair(key_text: str, value, col: int) -> str:
    body = _dump({"k": value})
    assert body.startswith("k:")
    return _indent(key_text + body[1:], col)


def _render_item(value, col: int) -> str:
    return _indent(_dump([value]), col)


def _render_flow(value) -> str:
    import yaml as _yaml
    text = _yaml.dump(value, Dumper=cfn_yaml._Dumper, sort_keys=False, allow_unicode=True, default_flow_style=True,
                      width=1 << 30)
    text = text.strip()
    if text.endswith("\n...") or text.endswith("..."):
        text = text[:-3].strip()
    if "\n" in text:
        raise Unpatchable("flow text over several lines")
    return text


def _get(data, path):
    for step in path:
        data = data[step]
    return data


def _flow_root(chain, upto: int):
    """The index in `chain` of the outermost flow collection containing chain[upto], or None."""
    found = None
    for i in range(upto, -1, -1):
        node = chain[i][0]
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.flow_style:
            found = i
    return found


def _rewrite_flow(text: str, chain, index: int, new_data) -> str:
    node = chain[index][0]
    if _is_intrinsic(node):
        raise Unpatchable("a flow intrinsic")
    return text[:node.start_mark.index] + _render_flow(new_data) + text[node.end_mark.index:]


def apply(text: str, op: tuple, new_data: dict) -> str:
    """`text` with one edit made; `new_data` is the whole template after the edit (for flow rewrites)."""
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise Unpatchable("not a block mapping")
    kind, path = op[0], tuple(op[1])
    if kind == "set":
        try:
            chain = _locate(root, path)
        except KeyError:
            return _add_key(text, root, path, op[2], new_data)
        return _replace(text, chain, path, op[2], new_data)
    if kind == "del":
        chain = _locate_or_fail(root, path)
        return _delete(text, chain, path, new_data)
    if kind == "append":
        chain = _locate_or_fail(root, path)
        return _append(text, chain, path, op[2], new_data)
    raise Unpatchable(kind)


def _locate_or_fail(root, path):
    try:
        return _locate(root, path)
    except KeyError:
        raise Unpatchable(f"no {'.'.join(map(str, path))}") from None


def _replace(text, chain, path, value, new_data) -> str:
    node, parent, key = chain[-1]
    flow = _flow_root(chain, len(chain) - 2) if parent is not None else None
    if flow is not None:
        return _rewrite_flow(text, chain, flow, _get(new_data, path[:flow]))
    if isinstance(parent, yaml.MappingNode):
        start = key.start_mark.index
        key_text = text[start:key.end_mark.index]
        return text[:start] + _render_pair(key_text, value, key.start_mark.column) + text[_content_end(text, node):]
    if isinstance(parent, yaml.SequenceNode):
        dash = _dash(text, node)
        col = dash - _line_start(text, dash)
        return text[:dash] + _render_item(value, col) + text[_content_end(text, node):]
    raise Unpatchable("the root")


def _dash(text: str, item) -> int:
    """Index of the `- ` that opens a block sequence item."""
    i = item.start_mark.index - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    if i < 0 or text[i] != "-":
        raise Unpatchable("no dash before a sequence item")
    return i


def _add_key(text, root, path, value, new_data) -> str:
    parent_path, key = path[:-1], path[-1]
    chain = _locate_or_fail(root, parent_path)
    mapping = chain[-1][0]
    if not isinstance(mapping, yaml.MappingNode) or _is_intrinsic(mapping):
        raise Unpatchable("adding to something that is not a mapping")
    flow = _flow_root(chain, len(chain) - 1)
    if flow is not None:
        return _rewrite_flow(text, chain, flow, _get(new_data, parent_path[:flow]))
    if not mapping.value:
        raise Unpatchable("an empty mapping")
    first_key = mapping.value[0][0]
    col = first_key.start_mark.column
    at = _line_end(text, _content_end(text, mapping))
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    key_text = _dump({key: None}).split(":")[0] if not isinstance(key, str) or not key.isidentifier() else key
    return text[:at] + prefix + " " * col + _render_pair(key_text, value, col) + "\n" + text[at:]


def _delete(text, chain, path, new_data) -> str:
    node, parent, key = chain[-1]
    flow = _flow_root(chain, len(chain) - 2) if parent is not None else None
    if flow is not None:
        return _rewrite_flow(text, chain, flow, _get(new_data, path[:flow]))
    if parent is None:
        raise Unpatchable("the root")
    end = _line_end(text, _content_end(text, node))
    if isinstance(parent, yaml.MappingNode):
        start = key.start_mark.index
        line = _line_start(text, start)
        if text[line:start].strip() == "":
            return text[:line] + text[end:]
        # the first key of a sequence item (`- Key: v`): the next key moves up onto the dash line
        pairs = parent.value
        position = next(i for i, (k, _v) in enumerate(pairs) if k is key)
        if position + 1 >= len(pairs):
            raise Unpatchable("the only key of a sequence item")
        return text[:start] + text[pairs[position + 1][0].start_mark.index:]
    dash = _dash(text, node)
    line = _line_start(text, dash)
    if text[line:dash].strip() != "":
        raise Unpatchable("a nested sequence item")
    if len(parent.value) == 1:
        raise Unpatchable("the only item of a list")
    return text[:line] + text[end:]


def _append(text, chain, path, value, new_data) -> str:
    node = chain[-1][0]
    if not isinstance(node, yaml.SequenceNode) or _is_intrinsic(node):
        raise Unpatchable("appending to something that is not a list")
    flow = _flow_root(chain, len(chain) - 1)
    if flow is not None or not node.value:
        index = flow if flow is not None else len(chain) - 1
        return _rewrite_flow(text, chain, index, _get(new_data, path[:index]))
    dash = _dash(text, node.value[-1])
    col = dash - _line_start(text, dash)
    at = _line_end(text, _content_end(text, node))
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return text[:at] + prefix + " " * col + _render_item(value, col) + "\n" + text[at:]
