"""Per-type code that registers itself against a service type, and the check that none is missing.

The registry (design.registry) says what a service type *is*; the code that *does* something per type
(the simulator's model, the SAM exporter's builder, the importer's property reader, the cost model's
pricer) lives next to the rest of its package and registers with a decorator:

    MODELS = Adapters("simulator model")
    model_for = MODELS.register

    @model_for("sqs_queue")
    class QueueModel(Model): ...

Each package calls `check()` once its adapters are imported, so a new registry entry without one fails
at import with the type and the missing adapter named ("service type 'mq_broker' has no simulator model
registered"), not late or silently in the middle of a run or an export.
"""
from __future__ import annotations

from typing import Callable, Iterable


class MissingAdapter(LookupError):
    """A registry type lacks the per-type code a package needs, or code registers for no such type (two
    registrations for one type are a ValueError, raised where the second one is made)."""


class Adapters:
    def __init__(self, what: str, needed: Callable = lambda spec: True, types: Iterable | None = None,
                 key: str = "service type"):
        """`what` names the adapter in messages; `needed(spec)` says which types must have one (e.g. only
        AWS resources need a SAM builder); `types` defaults to the registry's (tests pass their own), each
        with a `name`; `key` says in messages what those names are."""
        self.what = what
        self.needed = needed
        self._types = types
        self.key = key
        self.by_type: dict[str, object] = {}
        self._options: dict[str, dict] = {}

    def types(self) -> tuple:
        if self._types is None:
            from design.registry import TYPES
            return TYPES
        return tuple(self._types)

    def register(self, *type_names: str, **options):
        """Decorator: the function or class handles these types. `options` (e.g. a builder's phase) are kept
        per type, readable through `options_of`."""
        def decorate(adapter):
            for name in type_names:
                if name in self.by_type:
                    raise ValueError(f"{self.key} '{name}' has two {self.what}s registered: "
                                     f"{_name(self.by_type[name])} and {_name(adapter)}")
                self.by_type[name] = adapter
                self._options[name] = options
            return adapter
        return decorate

    def options_of(self, name: str) -> dict:
        return self._options.get(name, {})

    def __getitem__(self, name: str):
        return self.by_type[name]

    def get(self, name: str, default=None):
        return self.by_type.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.by_type

    def problems(self) -> list[str]:
        """Every type that needs an adapter and has none, and every registration for an unknown type."""
        specs = self.types()
        known = {spec.name for spec in specs}
        found = [f"{self.key} '{spec.name}' has no {self.what} registered"
                 for spec in specs if self.needed(spec) and spec.name not in self.by_type]
        found += [f"{self.what} {_name(adapter)} is registered for '{name}', which is not a {self.key} "
                  "in design.registry" for name, adapter in self.by_type.items() if name not in known]
        return found

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise MissingAdapter("; ".join(problems))


def _name(adapter) -> str:
    return getattr(adapter, "__qualname__", repr(adapter))
