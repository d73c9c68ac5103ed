"""One rule per module; `lint.registry` discovers them. Module names start with the rule id."""
