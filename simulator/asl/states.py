"""How each ASL state type runs (Pass, Succeed, Fail, Choice, Wait, Task, Parallel, Map); which node a
Task invokes is states_language.resolve_target.

StateTypes belongs to one Execution (simulator.asl.execution), which dispatches each step to
`run_<type>`. A state type computes its input and output through the execution's DataFlow
(simulator.asl.dataflow) and moves the execution on through the execution's own operations (advance,
issue, sleep, guard, state_error, ...). Neither module imports the other's private names.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from states_language.choice import next_state, parse_timestamp
from states_language.intrinsics import render_template
from states_language.paths import StatesError, write_result
from simulator.asl.commands import START_TIME, Invoke
from simulator.asl.dataflow import DataFlow
from simulator.asl.records import Branch, Group, Step
from states_language.resources import resolve_target

if TYPE_CHECKING:
    from simulator.asl.execution import Execution

class StateTypes:
    """The `run_<type>` handlers and the Parallel/Map child bookkeeping of one execution."""

    def __init__(self, execution: Execution, io: DataFlow):
        self.execution, self.io = execution, io

    def _finish_step(self, step: Step, result: Any, context: dict) -> None:
        """A state with a result: its output (DataFlow.result_output), then move on."""
        self.execution.advance(step, self.io.result_output(step, result, context))

    def run_pass(self, step: Step) -> None:
        context = self.io.context(step)
        if step.jsonata:
            return self.execution.advance(step, self.io.plain_output(step, context, step.input))
        data = self.io.effective_input(step, context)
        result = copy.deepcopy(step.state["Result"]) if "Result" in step.state else data
        merged = write_result(step.input, step.state.get("ResultPath", "$"), result)
        self.execution.advance(step, self.io.select(merged, step.state.get("OutputPath", "$"), context, "OutputPath"))

    def run_succeed(self, step: Step) -> None:
        context = self.io.context(step)
        data = step.input if step.jsonata else self.io.input_path(step, context)
        self.execution.advance(step, self.io.plain_output(step, context, data))

    def run_fail(self, step: Step) -> None:
        context = self.io.context(step)
        error = self.io.field(step, "Error", context, step.input)
        cause = self.io.field(step, "Cause", context, step.input)
        if not all(value is None or isinstance(value, str) for value in (error, cause)):
            raise StatesError("States.Runtime", f"a Fail state's Error and Cause must be strings, got {error!r}, {cause!r}")
        self.execution.unhandled(step, error, cause)

    def run_choice(self, step: Step) -> None:
        state, context = step.state, self.io.context(step)
        if not step.jsonata:
            data = self.io.input_path(step, context)
            chosen = next_state(state, data, context)
            return self.execution.advance(step, self.io.plain_output(step, context, data), chosen)
        env = self.io.env(step, context)
        for rule in state["Choices"]:
            verdict = self.io.jsonata(rule["Condition"], env, "Condition")
            if not isinstance(verdict, bool):
                raise StatesError("States.QueryEvaluationError", f"Condition gave {verdict!r}, not a boolean")
            if verdict:
                break
        else:
            if "Default" not in state:
                raise StatesError("States.NoChoiceMatched", "no choice rule matched and there is no Default")
            rule = {"Next": state["Default"], "Output": state.get("Output"), "Assign": state.get("Assign")}
        self.io.assign(step, rule.get("Assign"), env)
        template = next(t for t in (rule.get("Output"), state.get("Output"), "{% $states.input %}") if t is not None)
        self.execution.advance(step, self.io.jsonata(template, env, "Output"), rule["Next"])

    def run_wait(self, step: Step) -> None:
        context = self.io.context(step)
        data = step.input if step.jsonata else self.io.input_path(step, context)
        seconds = self.io.number(step, "Seconds", context, data)
        if seconds is None:
            stamp = self.io.field(step, "Timestamp", context, data)
            moment = parse_timestamp(stamp)
            if moment is None:
                raise StatesError("States.Runtime", f"Timestamp {stamp!r} is not an RFC 3339 timestamp")
            seconds = max(0.0, (moment - START_TIME).total_seconds())

        def woke() -> None:
            self.execution.advance(step, self.io.plain_output(step, context, data))
        self.execution.sleep(step, seconds, "wait", lambda: self.execution.guard(step, woke))

    def run_task(self, step: Step) -> None:
        state, token = step.state, self.execution.new_token()
        context = self.io.context(step, Task={"Token": f"{self.execution.name}-token-{token}"})
        payload = self.io.effective_input(step, context)
        data = step.input if step.jsonata else self.io.input_path(step, context)
        timeout = self.io.number(step, "TimeoutSeconds", context, data)
        heartbeat = self.io.number(step, "HeartbeatSeconds", context, data)
        template = state.get("Arguments" if step.jsonata else "Parameters")
        integration, target = resolve_target(state["Resource"], template, payload, self.execution.substitutions)
        command = Invoke(token, step.name, state["Resource"], target, integration, copy.deepcopy(payload),
                         None if timeout is None else float(timeout),
                         None if heartbeat is None else float(heartbeat))

        def answered(outcome: tuple) -> None:
            if outcome[0] == "failed":
                return self.execution.state_error(step, outcome[1], outcome[2])
            self.execution.guard(step, lambda: self._finish_step(step, outcome[1], context))
        self.execution.issue(step, command, answered)

    def run_parallel(self, step: Step) -> None:
        context = self.io.context(step)
        data = self.io.effective_input(step, context)
        branches = step.state["Branches"]
        group = Group(step, context, len(branches))
        for index, branch in enumerate(branches):
            self._start_child(group, index, branch, data)
        if not branches:
            self._group_done(group)

    def run_map(self, step: Step) -> None:
        state, context = step.state, self.io.context(step)
        data = step.input if step.jsonata else self.io.input_path(step, context)
        if "ItemReader" not in state:
            if step.jsonata:
                items = self.io.jsonata(state.get("Items", "{% $states.input %}"), self.io.env(step, context), "Items")
            else:
                items = self.io.select(data, state.get("ItemsPath", "$"), context, "ItemsPath")
            return self._start_iterations(step, context, data, items)
        reader, token = state["ItemReader"], self.execution.new_token()
        if step.jsonata:
            template = reader.get("Arguments", {})
            payload = self.io.jsonata(template, self.io.env(step, context), "ItemReader.Arguments")
        else:
            template = reader.get("Parameters", {})
            payload = render_template(template, data, context, self.io.rng)
        integration, target = resolve_target(reader["Resource"], template, payload, self.execution.substitutions)

        def answered(outcome: tuple) -> None:
            if outcome[0] == "failed":
                return self.execution.state_error(step, "States.ItemReaderFailed", f"{outcome[1]}: {outcome[2]}")
            self.execution.guard(step, lambda: self._start_iterations(step, context, data, outcome[1]))
        self.execution.issue(step, Invoke(token, step.name, reader["Resource"], target, integration,
                                 copy.deepcopy(payload), None, None), answered)

    def _start_iterations(self, step: Step, context: dict, data: Any, items: Any) -> None:
        if not isinstance(items, list):
            raise StatesError("States.Runtime", f"the Map items must be an array, got {type(items).__name__}")
        state = step.state
        if "ItemBatcher" in state:   # each iteration gets {"Items": [...]}; byte limits are not simulated
            size = state["ItemBatcher"].get("MaxItemsPerBatch") or max(len(items), 1)
            items = [{"Items": items[i:i + size]} for i in range(0, len(items), size)]
        group = Group(step, context, len(items))
        group.items, group.data = items, data
        group.processor = state.get("ItemProcessor") or state["Iterator"]
        group.limit = int(self.io.number(step, "MaxConcurrency", context, data) or 0)
        count = self.io.number(step, "ToleratedFailureCount", context, data)
        percentage = self.io.number(step, "ToleratedFailurePercentage", context, data)
        distributed = group.processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
        if distributed or count is not None or percentage is not None:
            group.tolerance = (count, percentage)   # failures are counted, not fatal one by one
        if not items:
            return self._group_done(group)
        self._launch(group)

    def _launch(self, group: Group) -> None:
        """Start Map iterations while MaxConcurrency (0 = unlimited) allows."""
        step, state = group.step, group.step.state
        while group.next < len(group.items) and (group.limit == 0 or group.running < group.limit):
            index, value = group.next, group.items[group.next]
            group.next += 1
            group.running += 1
            context = self.io.context(step, Map={"Item": {"Index": index, "Value": value}})
            selector = state.get("ItemSelector", None if step.jsonata else state.get("Parameters"))
            try:
                if selector is None:
                    item = value
                elif step.jsonata:
                    item = self.io.jsonata(selector, self.io.env(step, context), "ItemSelector")
                else:
                    item = render_template(selector, group.data, context, self.io.rng)
            except StatesError as failure:
                return self._group_failed(group, failure.error, failure.cause)
            self._start_child(group, index, group.processor, item)

    def _start_child(self, group: Group, index: int, machine: dict, data: Any) -> None:
        parent = group.step.branch
        child = Branch(f"{parent.path}/{group.step.name}[{index}]", machine["States"], parent,
                     dict(parent.variables),   # inner scopes read outer variables, never write them
                     lambda output: self._child_succeeded(group, index, output),
                     lambda error, cause: self._child_failed(group, index, error, cause))
        parent.children.add(child)
        group.children.append(child)
        self.execution.schedule(child, lambda: self.execution.enter(child, machine["StartAt"], data))

    def _child_succeeded(self, group: Group, index: int, output: Any) -> None:
        if group.closed:
            return
        group.results[index] = output
        group.remaining -= 1
        group.running -= 1
        if group.remaining == 0:
            self._group_done(group)
        elif group.items:
            self._launch(group)

    def _child_failed(self, group: Group, index: int, error: str, cause: str) -> None:
        if group.closed:
            return
        if group.tolerance is None:
            return self._group_failed(group, error, cause)
        group.failures += 1
        count, percentage = group.tolerance
        size = len(group.items)
        exceeded = ((count is not None and group.failures > count)
                    or (percentage is not None and group.failures * 100 > percentage * size)
                    or (count is None and percentage is None))
        if exceeded:
            return self._group_failed(group, "States.ExceedToleratedFailureThreshold",
                                      f"{group.failures} of {size} items failed, more than tolerated "
                                      f"(count {count}, percentage {percentage}); last error {error}: {cause}")
        self._child_succeeded(group, index, {"Error": error, "Cause": cause})

    def _group_done(self, group: Group) -> None:
        group.closed = True
        self.execution.guard(group.step, lambda: self._finish_step(group.step, group.results, group.context))

    def _group_failed(self, group: Group, error: str, cause: str) -> None:
        group.closed = True
        for child in group.children:
            self.execution.cancel(child)
        self.execution.state_error(group.step, error, cause)
