"""Walking a state machine definition for the workflow rules and fixes (valid definitions only).

A state's path is how findings name it: `States.Charge`, `States.Fan out.Branches[1].States.Call`,
`States.Each.ItemProcessor.States.Save`, appended to `nodes[<machine>].props.definition.`.
"""
from __future__ import annotations

from states_language import resolve_target, validate_definition

from lint.view import DesignView, node_path

CAN_FAIL = ("Task", "Parallel", "Map")


def valid_machines(view: DesignView) -> list:
    """(node, definition) for each state machine whose definition is present and valid ASL."""
    out = []
    for node in view.of_type("state_machine"):
        definition = node.prop("definition")
        if isinstance(definition, dict) and not validate_definition(definition):
            out.append((node, definition))
    return out


def iter_states(machine: dict, prefix: str = "States"):
    """(path, name, state) for every state, nested branches and item processors included, in document order."""
    for name, state in machine["States"].items():
        path = f"{prefix}.{name}"
        yield path, name, state
        if state.get("Type") == "Parallel":
            for index, branch in enumerate(state["Branches"]):
                yield from iter_states(branch, f"{path}.Branches[{index}].States")
        elif state.get("Type") == "Map":
            field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            yield from iter_states(state[field], f"{path}.{field}.States")


def state_path(machine_id: str, path: str) -> str:
    return node_path(machine_id, "definition") + "." + path


def find_state(definition: dict, path: str) -> dict | None:
    return next((state for p, _n, state in iter_states(definition) if p == path), None)


def task_call(state: dict, view: DesignView) -> tuple[str | None, str | None]:
    """(node id the Task calls or None, what it is: 'lambda', 'external', 'http' or a node type)."""
    resource = state.get("Resource")
    if state.get("Type") != "Task" or not isinstance(resource, str):
        return None, None
    template = state.get("Parameters", state.get("Arguments"))
    _integration, target = resolve_target(resource, template, None, {})
    if target in view.nodes:
        return target, view.nodes[target].type
    if resource.startswith("arn:aws:lambda:") or resource.startswith("arn:aws:states:::lambda:invoke"):
        return None, "lambda"
    if resource.startswith("arn:aws:states:::http:invoke"):
        return None, "http"
    return None, None


def transitions(state: dict, errors: bool) -> list[str]:
    """Names of the states this one can go to next (with `errors`, its Catch targets too)."""
    out = [state["Next"]] if isinstance(state.get("Next"), str) else []
    if state.get("Type") == "Choice":
        out += [c["Next"] for c in state.get("Choices", []) if isinstance(c, dict) and isinstance(c.get("Next"), str)]
        if isinstance(state.get("Default"), str):
            out.append(state["Default"])
    if errors:
        out += [c["Next"] for c in state.get("Catch", []) if isinstance(c.get("Next"), str)]
    return out


def reachable(states: dict, start: str) -> list[str]:
    """State names reachable from `start` in one States object, every transition followed, in visit order."""
    seen, stack = [], [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.append(name)
        stack.extend(reversed(transitions(states[name], errors=True)))
    return seen
