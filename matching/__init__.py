"""Event matching: Amazon EventBridge event patterns and Amazon SNS subscription filter policies.

One engine, two dialects, used by the simulator (rules, pipes, subscriptions), lint (invalid and match-all
patterns) and the designer's forms. Pure Python, no other package of this project:

    compile_pattern(pattern)                      EventBridge  (matching.eventpattern)
    compile_filter_policy(policy, scope)          SNS          (matching.filterpolicy)

Both return a CompiledPattern (`.matches(event)`) or raise PatternError listing every problem by path.
The engine underneath: values (the value model and Dialect), operators (prefix, numeric, anything-but, ...),
leaf (one match-value array), tree (fields, $or, the matcher).
"""
from matching.eventpattern import (CompiledPattern, LexFloat, PatternError, compile_pattern, loads_lexical, matches,
                                   matches_text, validate_pattern)
from matching.filterpolicy import compile_filter_policy

__all__ = ["CompiledPattern", "LexFloat", "PatternError", "compile_filter_policy", "compile_pattern",
           "loads_lexical", "matches", "matches_text", "validate_pattern"]
