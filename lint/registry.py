"""The one registry of rules: every module in `lint/rules/` holds exactly one `Rule` subclass.

Ids are checked here (format and uniqueness) when the registry is built, so a clash fails at import
time and in the tests, never silently.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from lint import rules as rules_package
from lint.rule import ID_RE, SEVERITIES, SEVERITY_ORDER, Rule

# Each anti-pattern in the catalog and the one rule it illustrates (the catalog schema forbids extra keys,
# so the mapping lives here). Every other catalog pattern must have no E or W findings.
ANTI_PATTERN_RULES = {
    "sync-lambda-chain": "W1001",
    "lambda-chaining-instead-of-workflow": "W1002",
    "long-running-lambda": "W1003",
    "monolithic-lambda": "W1004",
}


class RegistryError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule, one instance each: errors, then warnings, then info, each by number."""
    modules = [importlib.import_module(f"{rules_package.__name__}.{info.name}")
               for info in sorted(pkgutil.iter_modules(rules_package.__path__), key=lambda m: m.name)]
    found = checked([rule_in(module) for module in modules])
    return tuple(sorted(found, key=lambda r: (SEVERITY_ORDER[SEVERITIES[r.id[0]]], r.id[1:])))


def rule_in(module) -> Rule:
    """The one rule a module defines (classes imported from elsewhere do not count)."""
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, Rule) and c is not Rule and c.__module__ == module.__name__]
    if len(classes) != 1:
        raise RegistryError(f"{module.__name__} must define exactly one rule, found {len(classes)}")
    return classes[0]()


def checked(rules: list[Rule]) -> list[Rule]:
    """The rules, if every id is well formed and unique; else RegistryError naming the clash."""
    seen: dict[str, str] = {}
    for rule in rules:
        if not ID_RE.match(rule.id):
            raise RegistryError(f"{type(rule).__name__}: id {rule.id!r} is not a letter E, W or I and four digits")
        if rule.id in seen:
            raise RegistryError(f"rule id {rule.id} is used by both {seen[rule.id]} and {type(rule).__name__}")
        seen[rule.id] = type(rule).__name__
    return rules


def rule_by_id(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)
