"""Named rules that extensions insert by name, not by position."""


def insert_rule_after(rules, name, rule):
    """Insert ``rule`` into a list of named rules right after the rule called ``name``."""
    names = [existing[0] for existing in rules]
    if name not in names:
        raise ValueError(f"no rule named {name!r} in {names}")
    rules.insert(names.index(name) + 1, rule)
    return rules
