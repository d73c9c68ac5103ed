"""Amazon States Language (AWS Step Functions) interpreter, stepped by a discrete-event driver.

The interpreter never sleeps and does no I/O. `start()` and every answer return the commands the
driver must carry out on its own clock: `Invoke` (answer with task_succeeded / task_failed), `Sleep`
(answer with slept), and finally one `Finished`. Many commands may be outstanding at once.

Conventions a driver can rely on (all deterministic for a given rng seed):
- Time: the interpreter has no clock. Every execution starts at START_TIME (2024-01-01T00:00:00Z);
  `$$.Execution.StartTime` and `$$.State.EnteredTime` report it, and a Wait Timestamp waits
  (timestamp - START_TIME) seconds, never less than 0.
- `$$.Task.Token` is f"{name}-token-{invoke token}".
- An Invoke's output is the integration's whole result (for lambda:invoke that is {"Payload": ...});
  an ItemReader Invoke must be answered with the list of items.
- Tokens of cancelled work (a failed Parallel's siblings, everything after Finished) are ignored when
  answered later; a token that was never issued raises ValueError.
- `log` entries, in the order they happened; `path` is "" for the top level and
  "/<state>[<branch or item index>]" per nesting level (e.g. "/Fan out[1]/Each[3]"):
    ("enter", path, state)                      a state starts (one transition)
    ("invoke", path, state, token, target)      an Invoke was issued
    ("sleep", path, state, token, seconds, reason)
    ("retry", path, state, attempt, delay_s, error)
    ("catch", path, state, error, next)
    ("exit", path, state, next)                 next is None when the state ends its branch/execution
    ("fail", path, state, error, cause)         an error left the state unhandled (or a Fail state)
    ("cancel", path)                            a branch/iteration stopped because a sibling failed
    ("finish", status, error, cause)
- Not simulated: the execution-level TimeoutSeconds (the driver owns the clock), ResultWriter (a Map's
  output stays its results array), ItemBatcher byte limits and BatchInput, Credentials, Assign and
  variables in JSONPath states (a States.Runtime failure), JSONata beyond the subset in
  states_language.jsonata (a States.QueryEvaluationError saying "unsupported JSONata expression").

The interpreter is a package; this module is its public face and re-exports from:
  simulator.asl.commands    the commands above (Invoke, Sleep, Finished) and START_TIME
  simulator.asl.execution   Execution (driver protocol, branches, Retry/Catch), error_matches, retry_delay
  simulator.asl.dataflow    DataFlow: a state's input and output (paths, templates, JSONata Output/Assign)
  simulator.asl.states      StateTypes: each state type, Parallel/Map bookkeeping
  simulator.asl.records     Branch, Step, Group: the bookkeeping records of the last three
The language itself, which lint and the exporters read without running anything, is the top-level package
states_language: validate_definition and AslError, resolve_target (which node a Task names), and the
expressions (paths for JSONPath, jsonata, choice for Choice rules, intrinsics, values).
"""
from __future__ import annotations

# Command (Invoke | Sleep | Finished) stays importable from here, as before, without joining __all__.
from simulator.asl.commands import START_TIME, Command, Finished, Invoke, Sleep
from simulator.asl.execution import Execution, error_matches, retry_delay
# The language's names stay importable from here for the interpreter's callers.
from states_language import AslError, resolve_target, validate_definition

__all__ = ["AslError", "validate_definition", "Invoke", "Sleep", "Finished", "Execution", "START_TIME",
           "resolve_target", "error_matches", "retry_delay"]
