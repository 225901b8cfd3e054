"""Benchmark VirtualTable at 200x50 with 10,000 rows; prints figures and writes a JSON file.

Run: python bench/bench_table.py [--rows N] [--repeat N]  (results: bench/results/table.json)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import textual
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable

from cockpit.screens.widgets import Column, Row, VirtualTable

RESULTS = Path(__file__).resolve().parent / "results" / "table.json"
SIZE = (200, 50)
COLUMNS = (
    Column("sev", "Severity", width=9, priority=9),
    Column("alert", "Alert", min_width=24, ratio=2, priority=10),
    Column("tenant", "Tenant", min_width=14, priority=6),
    Column("ns", "Namespace", width=16, priority=2),
    Column("since", "Since", width=8, align="right", priority=5),
    Column("summary", "Summary", min_width=30, ratio=3, priority=1),
)
SEVERITIES = ("critical", "warning", "info")


def make_rows(count: int, generation: int = 0, changed: int = 0) -> list[Row]:
    """`count` alert rows; the first `changed` rows carry `generation` so they differ."""
    rows = []
    for i in range(count):
        tag = f" g{generation}" if i < changed else ""
        sev = SEVERITIES[i % 3]
        cells = (
            sev,
            f"KafkaConsumerLagHigh{i}",
            f"tenant-{i % 5000}",
            "payments",
            f"{i % 90}m",
            f"consumer group cg-{i % 2000} lag rising [p{i % 12}]{tag}",
        )
        rows.append(Row(f"alert-{i}", cells, "danger" if sev == "critical" else None))
    return rows


class BenchApp(App[None]):
    """One VirtualTable; records the bytes a real terminal would receive."""

    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows
        self.bytes_out = 0
        self.set_rows_ms = 0.0
        self.set_rows_cpu_ms = 0.0

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, empty_text="no firing alerts")

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        self.set_rows_ms, self.set_rows_cpu_ms = timed(table.set_rows, self.rows)

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.bytes_out += len(renderable.render_segments(self.console).encode())
        super()._display(screen, renderable)


class DataTableApp(App[None]):
    """Textual's DataTable with the same rows, as a reference point."""

    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns(*(c.label for c in COLUMNS))
        table.add_rows([[str(c) for c in r.cells] for r in self.rows])


def median(values: Any) -> float:
    return round(statistics.median(values), 2)


def ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def timed(call: Any, *args: Any) -> tuple[float, float]:
    """Wall and CPU milliseconds of one synchronous call (CPU time ignores other load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(*args)
    return ms(wall), round((time.process_time() - cpu) * 1000, 2)


async def bench(count: int, repeat: int) -> dict[str, Any]:
    rows = make_rows(count)
    app = BenchApp(rows)
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first_render = ms(start)
        table = app.query_one(VirtualTable)
        updates, filters, bytes_changed = [], [], []
        for generation in range(1, repeat + 1):
            app.bytes_out = 0
            updates.append(timed(table.set_rows, make_rows(count, generation, changed=100)))
            await pilot.pause()
            bytes_changed.append(app.bytes_out)
        app.bytes_out = 0
        unchanged = timed(table.set_rows, make_rows(count, repeat, changed=100))
        await pilot.pause()
        bytes_unchanged = app.bytes_out
        for needle in ("tenant-42", "CG-19", "nothing-matches", "") * max(1, repeat // 4):
            filters.append(timed(table.set_filter, needle))
            await pilot.pause()
    start = time.perf_counter()
    async with DataTableApp(rows).run_test(size=SIZE) as pilot:
        await pilot.pause()
        datatable_first = ms(start)
    return {
        "rows": count,
        "terminal": f"{SIZE[0]}x{SIZE[1]}",
        "first_render_ms": first_render,
        "initial_set_rows_ms": app.set_rows_ms,
        "initial_set_rows_cpu_ms": app.set_rows_cpu_ms,
        "set_rows_100_changed_ms_median": median(u[0] for u in updates),
        "set_rows_100_changed_ms_max": max(u[0] for u in updates),
        "set_rows_100_changed_cpu_ms_median": median(u[1] for u in updates),
        "set_rows_unchanged_ms": unchanged[0],
        "set_rows_unchanged_cpu_ms": unchanged[1],
        "bytes_after_unchanged_set_rows": bytes_unchanged,
        "bytes_after_100_changed_median": median(bytes_changed),
        "filter_ms_median": median(f[0] for f in filters),
        "filter_ms_max": max(f[0] for f in filters),
        "filter_cpu_ms_median": median(f[1] for f in filters),
        "datatable_first_render_ms": datatable_first,
        "python": platform.python_version(),
        "textual": textual.__version__,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    result = asyncio.run(bench(args.rows, args.repeat))
    for key, value in result.items():
        print(f"{key:34} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
