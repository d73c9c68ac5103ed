"""Amazon States Language, the document: what a valid state machine definition is, which node a Task
names, and the expression languages (JSONPath paths, JSONata, intrinsic functions, Choice rules).

Pure and free of any clock: the simulator's interpreter (simulator.asl) runs definitions with it, lint
checks them with it, and neither depends on the other.
  states_language.validation  validate_definition and AslError
  states_language.resources   resolve_target: (integration pattern, node) of a Task's Resource
  states_language.paths       JSONPath reading and ResultPath writing; jsonata, intrinsics, choice, values
"""
from __future__ import annotations

from states_language.resources import resolve_target
from states_language.validation import AslError, validate_definition

__all__ = ["AslError", "validate_definition", "resolve_target"]
