"""The claim constructions, one module each; every module here defines ``RULE`` (a ``Rule``).

Adding a construction is one new module with a ``find(doc_index, lexicon)`` generator, its
``RULE`` and, if it needs words, a list ``lexicons/<lang>/NAME.txt`` read with ``lexicon.words(NAME)``.
Rules run in ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil

from pipeline.claims.draft import Rule


def _discover() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise ValueError(f"claim rule module {module.__name__} must define RULE = Rule(...)")
        found.append(rule)
    found.sort(key=lambda r: r.order)
    orders = [r.order for r in found]
    if len(set(orders)) != len(orders):
        raise ValueError(f"claim rules must have distinct orders, got {[(r.name, r.order) for r in found]}")
    return tuple(found)


RULES: tuple[Rule, ...] = _discover()
