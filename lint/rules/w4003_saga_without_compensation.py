from lint.asl_walk import CAN_FAIL, iter_states, reachable, state_path, task_call, transitions, valid_machines
from lint.rule import Rule
from lint.view import DesignView, quoted

_SIDE_EFFECTS = ("lambda", "external", "http")


class SagaWithoutCompensation(Rule):
    id = "W4003"
    name = "saga-without-compensation"
    description = "A saga step whose failure does not undo the steps before it, or a step missing its compensation"
    source = "https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga-orchestration.html"

    def check(self, design):
        """A state machine is a saga when a node one of its Tasks calls has a `compensate` edge (step → its
        undo). Walking the top-level states from StartAt along Next/Choices/Default (not Catch), it keeps the
        compensated steps done so far. A Task calling a function or external system without a compensate
        edge is, when steps are done and no compensated step can follow it, the pivot: earlier steps are no
        longer undone after it. Two findings:
        - at every Task, Parallel or Map state reached with steps done, each Catch path (every state
          reachable from the catcher's Next) must call a compensation of each of them; no Catch undoes nothing;
        - a step without a compensate edge that runs after a compensated step and before another one is
          missing its compensation (a saga undoes every step before its pivot).
        Steps nested inside Parallel and Map states are not analysed."""
        view = DesignView(design)
        found = []
        for machine, definition in valid_machines(view):
            calls = {task_call(state, view)[0] for _p, _n, state in iter_states(definition)}
            undo = {n: [e.target for e in view.out(n, "compensate")] for n in calls if n and view.out(n, "compensate")}
            if undo:
                found += self._walk(view, machine, definition["States"], definition["StartAt"], undo)
        return found

    def _walk(self, view, machine, states, start, undo) -> list[dict]:
        compensations = {c for cs in undo.values() for c in cs}
        missing_at: dict[str, list[str]] = {}
        unpaired: dict[str, tuple[str, tuple]] = {}
        stack, seen = [(start, ())], set()
        while stack:
            name, done = stack.pop()
            if (name, done) in seen or name not in states:
                continue
            seen.add((name, done))
            state = states[name]
            if state.get("Type") in CAN_FAIL and done:
                steps = missing_at.setdefault(name, [])
                steps += [s for s in self._uncompensated(view, states, state, done, undo) if s not in steps]
            target, kind = task_call(state, view)
            if target in undo:
                done = done if target in done else done + (target,)
            elif kind in _SIDE_EFFECTS and target not in compensations and done:
                if self._compensated_later(view, states, name, undo):
                    unpaired.setdefault(name, (target, done))
                else:
                    done = ()    # the pivot: from here on the saga only moves forward
            stack.extend((n, done) for n in reversed(transitions(state, errors=False)))
        order = list(states).index
        found = [self._unpaired(view, machine, name, *unpaired[name]) for name in sorted(unpaired, key=order)]
        found += [self._uncaught(view, machine, name, states[name], steps, undo)
                  for name, steps in sorted(missing_at.items(), key=lambda kv: order(kv[0])) if steps]
        return found

    @staticmethod
    def _compensated_later(view, states, name, undo) -> bool:
        later, stack = set(), list(transitions(states[name], errors=False))
        while stack:
            nxt = stack.pop()
            if nxt in later or nxt not in states:
                continue
            later.add(nxt)
            if task_call(states[nxt], view)[0] in undo:
                return True
            stack.extend(transitions(states[nxt], errors=False))
        return False

    @staticmethod
    def _uncompensated(view, states, state, done, undo) -> list[str]:
        catchers = state.get("Catch") or []
        if not catchers:
            return list(done)
        missing = []
        for catcher in catchers:
            called = set()
            for name in reachable(states, catcher["Next"]):
                called |= {task_call(s, view)[0] for _p, _n, s in iter_states({"States": {name: states[name]}})}
            missing += [s for s in done if not set(undo[s]) & called and s not in missing]
        return missing

    def _unpaired(self, view, machine, name, target, done) -> dict:
        step = view.label(target) if target else f"state {name!r}"
        return self.finding(
            state_path(machine.id, f"States.{name}"),
            f"State {name!r} of {machine.title} calls {step}, which has no compensation, yet it runs after "
            f"{quoted([view.label(s) for s in done])} and before another compensated step: if a later step fails, "
            f"the saga undoes the others but not {step}. Join it to its undo with a compensate edge, or move it "
            "after the last compensated step.")

    def _uncaught(self, view, machine, name, state, steps, undo) -> dict:
        done = quoted([view.label(s) for s in steps])
        undo_nodes = [c for s in steps for c in undo[s]]
        undos = quoted([view.label(c) for c in undo_nodes])
        runs = "never runs" if len(undo_nodes) == 1 else "never run"
        path = state_path(machine.id, f"States.{name}")
        if not state.get("Catch"):
            return self.finding(path, f"State {name!r} of {machine.title} has no Catch: if it fails, the execution "
                                f"stops with {done} still done, because {undos} {runs}. Catch its errors and "
                                "run the compensations in reverse order.")
        return self.finding(path, f"If state {name!r} of {machine.title} fails, its Catch path does not undo "
                            f"{done}: {undos} {runs}. Route the Catch through the compensations, in reverse "
                            "order.")
