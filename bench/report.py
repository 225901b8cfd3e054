"""Bench rows: figure, cockpit, budget, verdict and the peer's figure; printed and saved as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Row:
    """One measured figure. `budget` None: no budget, reported only. The budget is a ceiling,
    or a floor with `at_least` (throughputs)."""

    name: str
    value: float
    budget: float | None
    peer: float | None = None
    note: str = ""
    at_least: bool = False

    @property
    def verdict(self) -> str:
        """PASS, MISS, or - when there is no budget."""
        if self.budget is None:
            return "-"
        ok = self.value >= self.budget if self.at_least else self.value <= self.budget
        return "PASS" if ok else "MISS"

    @property
    def ratio(self) -> float | None:
        """cockpit / pg_activity, when both exist and the peer is not zero."""
        if self.peer is None or self.peer == 0:
            return None
        return self.value / self.peer


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def print_table(rows: list[Row]) -> None:
    """The table on stdout, misses included."""
    head = f"{'figure':<54} {'cockpit':>10} {'budget':>10} {'verdict':>7} {'peer':>9}  note"
    print(head)
    print("-" * len(head))
    for row in rows:
        budget = _num(row.budget) if not row.at_least or row.budget is None else f">={row.budget:g}"
        print(
            f"{row.name:<54} {_num(row.value):>10} {budget:>10} {row.verdict:>7} "
            f"{_num(row.peer):>9}  {row.note}"
        )
    misses = sum(row.verdict == "MISS" for row in rows)
    print(f"\n{len(rows)} figures, {misses} over budget")


def write_summary(path: Path, rows: list[Row], meta: dict[str, Any]) -> None:
    """bench/results/summary.json: every row with its verdict and ratio."""
    data = {
        "meta": meta,
        "rows": [{**asdict(r), "verdict": r.verdict, "ratio": r.ratio} for r in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
