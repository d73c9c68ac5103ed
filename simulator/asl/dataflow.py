"""How data flows through one ASL state: the context object, InputPath/Parameters, Arguments,
ResultSelector/ResultPath/OutputPath, JSONata Output and Assign, and the `<Field>Path` variants.

DataFlow belongs to one Execution (simulator.asl.execution), which makes it with the execution's fixed
context objects and rng; the state types (simulator.asl.states) ask it for each state's input and
output. It never moves an execution on: it only computes values (or raises StatesError).
"""
from __future__ import annotations

import random
from typing import Any

from simulator.asl.commands import START_ISO
from states_language.intrinsics import read_from, render_template, resolve_dynamic
from states_language.paths import UNDEFINED, PathMissing, StatesError, render_jsonata, write_result
from simulator.asl.records import Step


class DataFlow:
    """Input and output handling of a state, for one execution."""

    def __init__(self, execution_context: dict, machine_context: dict, rng: random.Random):
        self.execution_context, self.machine_context, self.rng = execution_context, machine_context, rng

    def context(self, step: Step, **extra: Any) -> dict:
        state = {"Name": step.name, "EnteredTime": START_ISO, "RetryCount": sum(step.retries.values())}
        return {"Execution": self.execution_context, "StateMachine": self.machine_context,
                "State": state, **extra}

    def env(self, step: Step, context: dict, **states: Any) -> dict:
        return {**step.branch.variables, "states": {"input": step.input, "context": context, **states}}

    def jsonata(self, template: Any, env: dict, field: str) -> Any:
        value = render_jsonata(template, env)
        if value is UNDEFINED:
            raise StatesError("States.QueryEvaluationError", f"{field} evaluated to undefined")
        return value

    def assign(self, step: Step, assign: Any, env: dict) -> None:
        if assign is None:
            return
        if not step.jsonata:
            raise StatesError("States.Runtime", "Assign is only simulated in JSONata states")
        step.branch.variables.update(self.jsonata(assign, env, "Assign"))

    def input_path(self, step: Step, context: dict) -> Any:
        return self.select(step.input, step.state.get("InputPath", "$"), context, "InputPath")

    def select(self, doc: Any, path: str | None, context: dict, field: str) -> Any:
        if path is None:
            return {}
        try:
            return read_from(path, doc, context)
        except PathMissing:
            raise StatesError("States.Runtime", f"{field} {path!r} could not be found in the input") from None

    def effective_input(self, step: Step, context: dict) -> Any:
        """InputPath then Parameters (JSONPath), or Arguments (JSONata)."""
        if step.jsonata:
            arguments = step.state.get("Arguments")
            return step.input if arguments is None else self.jsonata(arguments, self.env(step, context), "Arguments")
        data = self.input_path(step, context)
        if "Parameters" not in step.state:
            return data
        return render_template(step.state["Parameters"], data, context, self.rng)

    def field(self, step: Step, name: str, context: dict, data: Any) -> Any:
        """A field given literally (or as JSONata), or through its `<name>Path` variant; None if absent."""
        state = step.state
        if name in state:
            value = state[name]
            return self.jsonata(value, self.env(step, context), name) if step.jsonata else value
        if name + "Path" in state:
            return resolve_dynamic(state[name + "Path"], data, context, self.rng, "States.Runtime", name + "Path")
        return None

    def number(self, step: Step, name: str, context: dict, data: Any) -> float | None:
        value = self.field(step, name, context, data)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise StatesError("States.Runtime", f"{name} must be a non-negative number, got {value!r}")
        return value

    def result_output(self, step: Step, result: Any, context: dict) -> Any:
        """A state's output from its result: ResultSelector, ResultPath, OutputPath (JSONPath) or Output
        and Assign (JSONata)."""
        state = step.state
        if step.jsonata:
            env = self.env(step, context, result=result)
            output = self.jsonata(state.get("Output", "{% $states.result %}"), env, "Output")
            self.assign(step, state.get("Assign"), env)
            return output
        if "ResultSelector" in state:
            result = render_template(state["ResultSelector"], result, context, self.rng)
        merged = write_result(step.input, state.get("ResultPath", "$"), result)
        return self.select(merged, state.get("OutputPath", "$"), context, "OutputPath")

    def plain_output(self, step: Step, context: dict, data: Any) -> Any:
        """Output of states without a result (Wait, Succeed, Choice, JSONata Pass)."""
        if step.jsonata:
            env = self.env(step, context)
            self.assign(step, step.state.get("Assign"), env)
            return self.jsonata(step.state.get("Output", "{% $states.input %}"), env, "Output")
        return self.select(data, step.state.get("OutputPath", "$"), context, "OutputPath")

    def caught_output(self, step: Step, catcher: dict, error_output: dict) -> Any:
        if not step.jsonata:
            return write_result(step.input, catcher.get("ResultPath", "$"), error_output)
        env = self.env(step, self.context(step), errorOutput=error_output)
        self.assign(step, catcher.get("Assign"), env)
        return self.jsonata(catcher.get("Output", "{% $states.errorOutput %}"), env, "Output")
