"""Alerts pane: firing and pending alerts, most severe then oldest first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from cockpit.domain.severity import severity_rank
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.views import AlertPolicy, AlertRow
from cockpit.grafana import alert_values
from cockpit.sanitize import clean
from cockpit.screens.state import TICK_S
from cockpit.screens.widgets import PreparedRows, Row, VirtualTable, prepare_rows

from .alert_table import COLUMNS, EMPTY_TEXT, Built, aged, build, same_rows
from .base import Pane
from .context import PaneContext
from .glyphs import compact_age
from .threaded import ASYNC_MIN, after_the_screen


class AlertSilenceRequested(Message):
    """`s` on an alert: the app opens the silence dialog with the alert's labels."""

    def __init__(self, alert_key: str, name: str, labels: Mapping[str, str]) -> None:
        self.alert_key = alert_key
        self.name = name
        self.labels = labels
        super().__init__()


class AlertsPane(Pane):
    """The alerts table; Enter on a row asks the screen to open the alert's runbook."""

    NUMBER: ClassVar[int] = 1
    KIND: ClassVar[str] = "alerts"
    USES_POLICY: ClassVar[bool] = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "silence", "Silence", show=False)]

    def action_silence(self) -> None:
        """Key s: silence the highlighted alert in Alertmanager (the app asks the details)."""
        chosen = self.selected()
        if chosen is None:
            self.notify("no alert is highlighted", severity="warning")
            return
        row, labels = chosen
        self.post_message(AlertSilenceRequested(row.key, row.name, labels))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, AlertRow] = {}
        self._state: IncidentState | None = None
        self._built: Built | None = None
        self._aged: list[Row] = []
        """The rows last handed to the table (identity tells whether an age moved)."""
        self._wanted: tuple[int, ...] | None = None
        """The state version being computed on a thread (None: nothing pending)."""
        self._coming = 0
        """How many alerts the rows being waited for hold (the title counts them meanwhile)."""

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, empty_text=EMPTY_TEXT)

    def update_data(self, ctx: PaneContext) -> None:
        """Alerts in `alerts_view` order, rebuilt because the state advanced (the 1 Hz tick
        only moves the ages on: `age_data`). A large set is built on a thread from a snapshot
        of the records, and shown when it is ready; while the catalog that ranks it is still
        being read, it waits for it (built before, it would be built twice).
        """
        state = ctx.state
        version = (ctx.revision, id(ctx.policy))
        self._state = state
        if ctx.revision >= 0 and version == self._wanted:
            return
        records = list(state.iter_alerts())
        if len(records) < ASYNC_MIN or not self.is_attached:
            self._wanted = None
            self._show(build(version, records, ctx))
            return
        if ctx.catalog_pending:
            self._wanted = None  # any build under way is outdated: it lands, if at all, ignored
            self._waiting(len(records), "alerts: reading the alert catalog to rank them…")
            return
        self._wanted = version
        self._waiting(len(records), "alerts: ranking them…")
        # A description, or Textual takes repr() of the partial: 14,000 records, 0.6 s.
        self.run_worker(
            partial(self._build_off_loop, version, records, ctx),
            thread=True, exclusive=True, group="alerts-view", exit_on_error=False,
            description="alerts view",
        )  # fmt: skip

    def _waiting(self, count: int, what: str) -> None:
        """Rows are coming: background work holds back until they land, and while nothing is
        shown yet, the table and the title say what is coming, never "no alerts"."""
        self._coming = count
        self.await_rows(True)
        if self._built is None:
            self.table.set_empty_text(f"{count:,} {what}")

    def settled(self, policy: AlertPolicy) -> bool:
        """True when the rows shown were ranked with `policy` and no newer build is pending."""
        built = self._built
        return built is not None and self._wanted is None and built.version[1:] == (id(policy),)

    def age_data(self, now: datetime) -> None:
        """The ages in the rows, moved on to `now` (a row whose age text holds is reused;
        when none changed, the table is not touched). A large set is aged on a thread: at
        10,000 alerts of one age, every row changes together once a minute (60-100 ms)."""
        built = self._built
        if built is None:
            return
        if len(built.rows) < ASYNC_MIN or not self.is_attached:
            self._aged_arrived(built, aged(built, now), None)
            return
        self.run_worker(
            partial(self._age_off_loop, built, now),
            thread=True, exclusive=True, group="alerts-age", exit_on_error=False,
            description="alerts ages",
        )  # fmt: skip

    def time_due(self) -> float | None:
        """Every second while alerts are listed (their Age column moves)."""
        built = self._built
        return TICK_S if built is not None and built.rows else super().time_due()

    def _age_off_loop(self, built: Built, now: datetime) -> None:
        rows = aged(built, now)
        if not same_rows(rows, self._aged):  # nothing moved: no message at all
            self.app.call_from_thread(self._aged_arrived, built, rows, prepare_rows(rows))

    def _aged_arrived(self, built: Built, rows: list[Row], prepared: PreparedRows | None) -> None:
        if built is not self._built or same_rows(rows, self._aged):
            return  # rebuilt meanwhile (the new rows carry their own ages), or unchanged
        self._aged = rows
        self.table.set_rows(rows, prepared)

    def _build_off_loop(
        self, version: tuple[int, ...], records: list[AlertRecord], ctx: PaneContext
    ) -> None:
        built = build(version, records, ctx)
        if self._built is None and not self.table.filter_text:
            # The first rows are shown before their search texts exist (the screen does not
            # need them, a filter does): 40 ms less to the first full screen at 10,000.
            self.app.call_from_thread(self._arrived, built, None)
            after_the_screen()
            self.app.call_from_thread(self._adopt, built, prepare_rows(built.rows))
            return
        self.app.call_from_thread(self._arrived, built, prepare_rows(built.rows))

    def _adopt(self, built: Built, prepared: PreparedRows) -> None:
        if built is self._built and self._aged is built.rows:
            self.table.adopt_prepared(built.rows, prepared)

    def _arrived(self, built: Built, prepared: PreparedRows | None) -> None:
        if built.version == self._wanted:
            self._wanted = None
        elif self._built is not None:
            return  # a newer state was asked for meanwhile; its own build will land
        # else: nothing is shown yet (a first build, overtaken by a newer one): these rows
        # beat an empty table until those land.
        self._show(built, prepared)
        self.refresh_title()

    def _show(self, built: Built, prepared: PreparedRows | None = None) -> None:
        if self._wanted is None:
            self.await_rows(False)
        if self._built is None:
            self.table.set_empty_text(EMPTY_TEXT)
        self._built = built
        self._aged = built.rows
        self.rows = {tr.key: row for tr, row in zip(built.rows, built.view, strict=True)}
        self.table.set_rows(built.rows, prepared)

    def pane_title(self) -> Content:
        """`1 Alerts 7 (SEV-1 1, SEV-2 2)`; `1 Alerts 10000 (ranking…)` before the first rows."""
        if self._built is None and self._coming:
            return Content(f"1 Alerts {self._coming} (ranking…)")
        counts = Counter(row.severity for row in self.rows.values() if row.severity)
        ranked = sorted(counts.items(), key=lambda kv: (severity_rank(kv[0]), kv[0]))
        detail = ", ".join(f"{label} {n}" for label, n in ranked)
        return Content(f"1 Alerts {len(self.rows)}" + (f" ({detail})" if detail else ""))

    def pane_summary(self) -> Content:
        """`Alerts 7 !SEV-1`: the worst severity that nobody silenced."""
        if self._built is None and self._coming:
            return Content(f"Alerts {self._coming} (ranking…)")
        live = [r for r in self.rows.values() if not (r.silenced or r.inhibited)]
        worst = min(live, key=lambda r: r.rank, default=None)
        text = Content(f"Alerts {len(self.rows)}")
        if worst is None or worst.severity is None:
            return text
        style = "$text-error bold" if worst.rank <= 1 else "$text-warning"
        return Content.assemble(text, " ", (f"!{worst.severity}", style))

    def selected(self) -> tuple[AlertRow, dict[str, str]] | None:
        """The highlighted alert and its sanitised labels, or None."""
        key = self.table.cursor_key
        row = self.rows.get(key) if key is not None else None
        if key is None or row is None:
            return None
        rec = None
        if self._state is not None:
            rec = self._state.alerts.get(row.source, {}).get(row.key)
        raw = rec.item.get("labels") if rec is not None else None
        labels = {
            clean(k, single_line=True, max_len=100): clean(v, single_line=True, max_len=300)
            for k, v in (raw.items() if isinstance(raw, Mapping) else ())
        }
        return row, labels

    def link_values(self) -> dict[str, str] | None:
        """The highlighted alert's labels, `alertname`, and a range from before it began."""
        chosen, ctx = self.selected(), self.context
        if chosen is None or ctx is None:
            return None
        row, labels = chosen
        return {"pane": self.KIND, **alert_values(row.name, labels, ctx.now, row.age_s)}

    def copy_text(self) -> str | None:
        """`KafkaConsumerLagHigh{consumergroup="kyc"} SEV-2 firing 12m RB-003`."""
        chosen = self.selected()
        if chosen is None:
            return None
        row, labels = chosen
        pairs = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        parts = [f"{row.name}{{{pairs}}}", row.severity or "", row.state, compact_age(row.age_s)]
        return " ".join(p for p in [*parts, row.runbook or ""] if p)
