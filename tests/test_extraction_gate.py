"""The extraction quality gate (``benchmarks/extraction.py --gate``): it fails when a figure falls below
its pinned floor, or is missing, and passes otherwise. The figures here are made up: the real ones
come from the benchmark, which ``make gate`` runs on the dev pages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import extraction  # noqa: E402


def _result(shift: float = 0.0, drop: str | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for kind, floors in extraction.FLOORS.items():
        for name, metrics in floors.items():
            got = {m: floor + 0.01 + shift for m, floor in metrics.items() if m != drop}
            figures.setdefault(name, {})[kind] = got
    return {"figures": figures, "misses": {}}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (_result(), 0),
        (_result(shift=-0.02), 1),  # every figure under its floor
        (_result(drop="date_acc"), 1),  # a figure not measured (a set missing) is no pass
    ],
)
def test_gate_fails_below_a_floor(monkeypatch: pytest.MonkeyPatch, result: dict[str, Any], expected: int) -> None:
    monkeypatch.setattr(extraction, "cross_validate", lambda scorer, sets, k: result)
    assert extraction.gate(scorer=None, sets={}) == expected


def test_one_figure_below_its_floor_fails_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _result()
    result["figures"]["wcxb-articles-meta"]["cv"]["author_acc"] = extraction.FLOORS["cv"]["wcxb-articles-meta"][
        "author_acc"
    ] - 0.001
    monkeypatch.setattr(extraction, "cross_validate", lambda scorer, sets, k: result)
    assert extraction.gate(scorer=None, sets={}) == 1
