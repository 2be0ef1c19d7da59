"""How deep a parsed document may nest before it is refused.

Parsers recurse (Python's json, the code that walks a parsed feed or XML record), and a document
nested a few thousand levels deep ends in ``RecursionError``, which would stop a whole run. No
feed, API page or archive item nests anywhere near this deep, so deeper input is bad input: its
document is quarantined with this reason and the others go on.
"""

from __future__ import annotations

from typing import Any

MAX_NESTING = 100


def too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and dicts more than ``limit`` levels; no recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def nesting_refusal(limit: int = MAX_NESTING) -> str:
    return f"nested deeper than {limit} levels (no feed, API page or archive item is)"
