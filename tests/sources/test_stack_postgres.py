"""The PostgreSQL test server is real: settings, roles, sample data and restarts."""

from __future__ import annotations

import psycopg
import pytest
from stack.postgres import MAX_CONNECTIONS, PostgresServer

pytestmark = pytest.mark.servers

BROKEN_CHAIN_SQL = """
WITH chained AS (
    SELECT tenant_id, payload ->> 'seq' AS seq, previous_hash,
           lag(event_hash) OVER per_tenant AS expected
    FROM audit_event
    WINDOW per_tenant AS (PARTITION BY tenant_id ORDER BY occurred_at, event_id)
)
SELECT tenant_id, seq FROM chained
WHERE previous_hash IS DISTINCT FROM expected
ORDER BY tenant_id, seq
"""


def test_max_connections_is_read_from_the_server(pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_server.ro_dsn) as conn:
        row = conn.execute(
            "SELECT current_setting('max_connections')::int, current_user, current_database()"
        ).fetchone()
    assert row == (MAX_CONNECTIONS, "cockpit_ro", "kyc")


def test_read_only_role_can_read_but_not_write(pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_server.ro_dsn, autocommit=True) as conn:
        count = conn.execute("SELECT count(*) FROM kyc_case").fetchone()
        assert count is not None and count[0] == 60
        activity = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query <> ''")
        assert (activity.fetchone() or (0,))[0] >= 1  # pg_monitor sees other sessions' queries
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("DELETE FROM kyc_case")


def test_broken_audit_chain_is_found_by_a_window_query(pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_server.ro_dsn) as conn:
        rows = conn.execute(BROKEN_CHAIN_SQL).fetchall()
        # Each chain's first event has no predecessor on either side, so it is not reported.
        assert rows == [("tunis-fintech", "7")]
        intact = conn.execute(
            "SELECT count(*) FROM audit_event WHERE tenant_id = 'acme-bank'"
        ).fetchone()
    assert intact == (12,)


def test_sample_rows_are_recent_enough_for_diagnostics(pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_server.ro_dsn) as conn:
        errors = conn.execute(
            "SELECT code FROM tcr_ides_acknowledgement WHERE kind = 'error_report'"
            " AND received_at > now() - interval '24 hours' ORDER BY code"
        ).fetchall()
        burst = conn.execute(
            "SELECT device ->> 'ip', count(*) FROM kyc_biometric_check"
            " WHERE tenant_id = %s AND performed_at > now() - interval '1 hour' AND NOT passed"
            " GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
            ("medina-insure",),
        ).fetchone()
    assert errors == [("CF03",), ("CV01",)]
    assert burst == ("203.0.113.7", 30)


def test_restart_gives_a_new_postmaster_and_keeps_the_data(pg_server: PostgresServer) -> None:
    before = pg_server.pid()
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS restart_probe (n int)")
        conn.execute("INSERT INTO restart_probe VALUES (1)")
    pg_server.restart("immediate")
    assert pg_server.pid() not in (None, before)
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM restart_probe").fetchone() == (1,)
        conn.execute("DROP TABLE restart_probe")
