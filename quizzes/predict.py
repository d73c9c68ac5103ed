"""'Predict the outcome' items: the answer is computed by the simulator, never typed in.

An item names a design, a scenario, a seed and `answer_metric`, an expression over the run's JSON
(`nodes.confirm.processed`, `nodes["confirm-q"].dead_lettered - 1`, `totals.dropped`). Each distractor
is another expression with an explanation of the misconception it stands for. At load time the run is
simulated and every expression evaluated; the options are the numbers, so if the simulator's semantics
change, the answers change with them. Distractor values must differ from the answer and each other.
"""
from __future__ import annotations

import ast
import json
import operator
from functools import lru_cache

from quizzes.items import Option

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv}
_FUNCS = {"min": min, "max": max, "len": len}
MAX_EXPR = 300


class PredictError(ValueError):
    pass


def evaluate(expr: str, data: dict) -> float:
    """Evaluate a metric expression over plain data; only names, keys, numbers and + - * / //."""
    if len(expr) > MAX_EXPR:
        raise PredictError(f"expression longer than {MAX_EXPR} characters")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise PredictError(f"cannot parse {expr!r}: {exc.msg}") from None
    value = _eval(tree.body, data, expr)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PredictError(f"{expr!r} is not a number (got {type(value).__name__})")
    return value


def _eval(node, data, expr):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in data:
            raise PredictError(f"{expr!r}: unknown name {node.id!r} (use one of {', '.join(sorted(data))})")
        return data[node.id]
    if isinstance(node, ast.Attribute):
        return _key(_eval(node.value, data, expr), node.attr, expr)
    if isinstance(node, ast.Subscript):
        key = node.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, (str, int))):
            raise PredictError(f"{expr!r}: only constant keys may be used in [...]")
        return _key(_eval(node.value, data, expr), key.value, expr)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left, data, expr), _eval(node.right, data, expr)
        try:
            return _BINOPS[type(node.op)](left, right)
        except (TypeError, ZeroDivisionError) as exc:
            raise PredictError(f"{expr!r}: {exc}") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, data, expr)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
            and not node.keywords):
        return _FUNCS[node.func.id](*[_eval(a, data, expr) for a in node.args])
    raise PredictError(f"{expr!r}: {type(node).__name__} is not allowed (names, keys, numbers, + - * / //, "
                       "min, max, len)")


def _key(value, key, expr):
    if isinstance(value, dict):
        if key not in value:
            raise PredictError(f"{expr!r}: no {key!r} (has {', '.join(map(str, sorted(value)))[:200]})")
        return value[key]
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    raise PredictError(f"{expr!r}: cannot look up {key!r} in {type(value).__name__}")


@lru_cache(maxsize=256)
def _run_json(design_doc: str, scenario_doc: str, seed: int) -> dict:
    from design.loader import from_data
    from simulator.run import simulate
    run = simulate(from_data(json.loads(design_doc)), json.loads(scenario_doc), seed=seed)
    data = run.to_json()
    if not data["conservation"]["ok"]:
        raise PredictError("the run breaks conservation (a simulator bug): " + "; ".join(
            data["conservation"]["problems"][:3]))
    return data


def run_data(design, scenario: dict, seed: int) -> dict:
    """The run's JSON (cached per design, scenario and seed: runs are deterministic)."""
    from simulator.run import ScenarioError
    try:
        return _run_json(json.dumps(design.to_dict(), sort_keys=True), json.dumps(scenario, sort_keys=True),
                         int(seed))
    except ScenarioError as exc:
        raise PredictError("scenario: " + "; ".join(exc.problems[:5])) from None


def fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def option_id(value: float) -> str:
    text = fmt(value).replace(",", "").replace(".", "_").replace("-", "m")
    return f"v{text}"


def resolve(design, scenario: dict, seed: int, answer_metric: str, distractors: list[dict],
            explanation: str, unit: str = "") -> tuple[tuple[Option, ...], str, dict]:
    """Simulate and build the options: (options, correct option id, facts). Raises PredictError."""
    data = run_data(design, scenario, seed)
    answer = evaluate(answer_metric, data)
    values = [answer] + [evaluate(d["metric"], data) for d in distractors]
    seen: dict[float, int] = {}
    for i, v in enumerate(values):
        if v in seen:
            who = "the answer" if seen[v] == 0 else f"distractor {seen[v]}"
            raise PredictError(f"distractor {i} ({distractors[i - 1]['metric']}) = {fmt(v)}, the same as {who}; "
                               "every option must be a different number")
        seen[v] = i
    suffix = f" {unit}" if unit else ""
    texts = [explanation] + [d["explanation"] for d in distractors]
    options = tuple(Option(id=option_id(v), text=fmt(v) + suffix,
                           explanation=t.replace("{answer}", fmt(answer)).replace("{value}", fmt(v)),
                           correct=(i == 0)) for i, (v, t) in enumerate(zip(values, texts)))
    facts = {"answer_metric": answer_metric, "answer": answer, "seed": int(seed),
             "distractors": {d["metric"]: v for d, v in zip(distractors, values[1:])}}
    return options, options[0].id, facts
