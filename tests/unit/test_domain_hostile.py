"""Every string a view hands to a pane is inert, whatever the sources sent."""

from __future__ import annotations

import re
from typing import Any

from hostile_corpus import load as load_corpus
from test_fold_support import Log, alert, alerts, at, lag, tenant

from cockpit.domain.fold import fold
from cockpit.domain.metrics_views import lag_view, pg_view, tenants_view
from cockpit.domain.views import alerts_view, source_status
from cockpit.log import events as ev

# The shared corpus lives next to the repository checkout (../shared/fixtures).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for key, item in node.items() if key != "about" for s in _strings(item)]
    return []


def _texts(row: Any) -> list[str]:
    values = row._asdict().values() if hasattr(row, "_asdict") else vars_of(row)
    found: list[str] = []
    for value in values:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, tuple):
            found.extend(v[0] for v in value if isinstance(v, tuple) and isinstance(v[0], str))
    return found


def vars_of(row: Any) -> list[Any]:
    return [getattr(row, name) for name in row.__slots__]


def test_views_strip_controls_from_every_hostile_string() -> None:
    # The corpus repeats a few strings across categories; rows are keyed by them.
    hostile = list(dict.fromkeys(_strings(load_corpus())))
    assert len(hostile) > 10
    log = Log()
    items = [
        alert(f"a{i}", text, labels={"tenant": text, "severity": text},
              annotations={"summary": text}, state=text)
        for i, text in enumerate(hostile)
    ]  # fmt: skip
    log.add(alerts(items), 0)
    lags = tuple(lag(text, text, i) for i, text in enumerate(hostile))
    log.add(ev.KafkaLagObserved(source="k", items=lags), 1)
    log.add(ev.TenantQuotaObserved(source="b", items=tuple(tenant(t, 1, 2, 3) for t in hostile)), 2)
    by_app = {text: i for i, text in enumerate(hostile)}
    log.add(ev.PostgresConnectionsObserved("pg", 100, 5, by_application=by_app), 3)
    log.add(ev.SourceFailed("pg", "http", " ".join(hostile), 1.0), 4)
    state = fold(log.events)
    assert state.unknown_total == 0
    rows: list[Any] = [*alerts_view(state, at(5)), *lag_view(state, at(5)), *tenants_view(state)]
    rows += [pg_view(state, at(5)), source_status(state, "pg", at(5), 2.0)]
    assert len(rows) == 3 * len(hostile) + 2
    texts = [text for row in rows for text in _texts(row)]
    assert len(texts) > 6 * len(hostile)
    assert [t for t in texts if UNSAFE.search(t)] == []
