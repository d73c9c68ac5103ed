"""How data flows through one ASL state: the context object, InputPath/Parameters, Arguments,
ResultSelector/ResultPath/OutputPath, JSONata Output and Assign, and the `<Field>Path` variants.

DataFlow is a mixin of Execution (simulator.asl.execution). Of the engine it uses only the fixed
context objects and rng set in Execution.__init__, and _advance once a state's output is known; kept
apart so the rules of one state's I/O read in one place.
"""
from __future__ import annotations

from typing import Any

from simulator.asl.intrinsics import read_from, render_template, resolve_dynamic
from simulator.asl.paths import UNDEFINED, PathMissing, StatesError, render_jsonata, write_result
from simulator.asl.commands import _START_ISO, _Step


class DataFlow:
    """Input and output handling of a state; mixed into Execution."""

    def _context(self, step: _Step, **extra: Any) -> dict:
        state = {"Name": step.name, "EnteredTime": _START_ISO, "RetryCount": sum(step.retries.values())}
        return {"Execution": self._execution_context, "StateMachine": self._machine_context,
                "State": state, **extra}

    def _env(self, step: _Step, context: dict, **states: Any) -> dict:
        return {**step.run.variables, "states": {"input": step.input, "context": context, **states}}

    def _jsonata(self, template: Any, env: dict, field: str) -> Any:
        value = render_jsonata(template, env)
        if value is UNDEFINED:
            raise StatesError("States.QueryEvaluationError", f"{field} evaluated to undefined")
        return value

    def _assign(self, step: _Step, assign: Any, env: dict) -> None:
        if assign is None:
            return
        if not step.jsonata:
            raise StatesError("States.Runtime", "Assign is only simulated in JSONata states")
        step.run.variables.update(self._jsonata(assign, env, "Assign"))

    def _input_path(self, step: _Step, context: dict) -> Any:
        return self._select(step.input, step.state.get("InputPath", "$"), context, "InputPath")

    def _select(self, doc: Any, path: str | None, context: dict, field: str) -> Any:
        if path is None:
            return {}
        try:
            return read_from(path, doc, context)
        except PathMissing:
            raise StatesError("States.Runtime", f"{field} {path!r} could not be found in the input") from None

    def _effective_input(self, step: _Step, context: dict) -> Any:
        """InputPath then Parameters (JSONPath), or Arguments (JSONata)."""
        if step.jsonata:
            arguments = step.state.get("Arguments")
            return step.input if arguments is None else self._jsonata(arguments, self._env(step, context), "Arguments")
        data = self._input_path(step, context)
        if "Parameters" not in step.state:
            return data
        return render_template(step.state["Parameters"], data, context, self._rng)

    def _field(self, step: _Step, name: str, context: dict, data: Any) -> Any:
        """A field given literally (or as JSONata), or through its `<name>Path` variant; None if absent."""
        state = step.state
        if name in state:
            value = state[name]
            return self._jsonata(value, self._env(step, context), name) if step.jsonata else value
        if name + "Path" in state:
            return resolve_dynamic(state[name + "Path"], data, context, self._rng, "States.Runtime", name + "Path")
        return None

    def _number(self, step: _Step, name: str, context: dict, data: Any) -> float | None:
        value = self._field(step, name, context, data)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise StatesError("States.Runtime", f"{name} must be a non-negative number, got {value!r}")
        return value

    def _finish_step(self, step: _Step, result: Any, context: dict) -> None:
        """ResultSelector, ResultPath, OutputPath (JSONPath) or Output and Assign (JSONata); then move on."""
        state = step.state
        if step.jsonata:
            env = self._env(step, context, result=result)
            output = self._jsonata(state.get("Output", "{% $states.result %}"), env, "Output")
            self._assign(step, state.get("Assign"), env)
        else:
            if "ResultSelector" in state:
                result = render_template(state["ResultSelector"], result, context, self._rng)
            merged = write_result(step.input, state.get("ResultPath", "$"), result)
            output = self._select(merged, state.get("OutputPath", "$"), context, "OutputPath")
        self._advance(step, output)

    def _plain_output(self, step: _Step, context: dict, data: Any) -> Any:
        """Output of states without a result (Wait, Succeed, Choice, JSONata Pass)."""
        if step.jsonata:
            env = self._env(step, context)
            self._assign(step, step.state.get("Assign"), env)
            return self._jsonata(step.state.get("Output", "{% $states.input %}"), env, "Output")
        return self._select(data, step.state.get("OutputPath", "$"), context, "OutputPath")

    def _caught_output(self, step: _Step, catcher: dict, error_output: dict) -> Any:
        if not step.jsonata:
            return write_result(step.input, catcher.get("ResultPath", "$"), error_output)
        env = self._env(step, self._context(step), errorOutput=error_output)
        self._assign(step, catcher.get("Assign"), env)
        return self._jsonata(catcher.get("Output", "{% $states.errorOutput %}"), env, "Output")
