"""`sql` steps: psycopg with bound parameters; diagnostics in a read-only transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, table
from cockpit.runbook.model import Step
from cockpit.runbook.safety import changes_platform
from cockpit.sanitize import clean

APPLICATION_NAME = "cockpit-runbook"
NO_MITIGATION_LOGIN = (
    "no PostgreSQL login for mitigations: set [postgres] mitigation_dsn_env or "
    "mitigation_dsn_file (the diagnostic DSN is never used for writes)"
)


@dataclass(frozen=True, slots=True)
class SqlCall:
    """The query text exactly as written, its bound arguments, and the write flag."""

    query: str
    args: Mapping[str, str | int]
    writes: bool


def plan(step: Step, args: Mapping[str, str | int], targets: StepTargets) -> Plan:
    """The SQL text and, below it, each value psycopg sends separately from the text.

    A mitigation without its own login is refused here, before any confirmation. Whether
    SQL writes is judged from its text (`changes_platform`), not only from its role: SQL
    that calls a side-effect function never runs as the diagnostic login.
    """
    if targets.toolbox is not None and not targets.postgres_dsn:
        raise StepFailure(targets.toolbox.postgres_refusal())
    writes = changes_platform(step)
    if writes and not targets.postgres_mitigation_dsn:
        raise StepFailure(targets.postgres_mitigation_problem or NO_MITIGATION_LOGIN, "refused")
    query = str(step.spec)
    lines = [query]
    if args:
        lines.append("-- values bound by the driver (never spliced into the text):")
        lines.extend(f"--   %({name})s = {value!r}" for name, value in sorted(args.items()))
    if writes:
        lines.append("-- runs in a read-write transaction, as the mitigation login")
    else:
        lines.append("-- runs in a read-only transaction")
    return Plan("sql", "\n".join(lines), SqlCall(query, dict(args), writes))


def run(call: SqlCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Run the query within `deadline_s`; diagnostics roll back, mitigations commit."""
    if targets.toolbox is not None and not targets.postgres_dsn:
        # A simulated session reaches no server but the demo's own embedded one.
        raise StepFailure(targets.toolbox.postgres_refusal())
    import psycopg

    dsn = targets.postgres_mitigation_dsn if call.writes else targets.postgres_dsn
    if not dsn:
        if call.writes:
            raise StepFailure(NO_MITIGATION_LOGIN, "refused")
        raise StepFailure("no PostgreSQL configured: set [postgres] dsn or dsn_env in the config")
    timeout_ms = max(100, int(deadline_s * 1000))
    try:
        with psycopg.connect(
            dsn,
            connect_timeout=max(1, min(5, int(deadline_s))),
            application_name=APPLICATION_NAME,
        ) as conn:
            conn.read_only = not call.writes
            with conn.cursor() as cur:
                # Transaction-local, so the limit dies with the transaction.
                cur.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
                cur.execute(call.query.encode(), dict(call.args))
                columns = [d.name for d in cur.description or ()]
                rows = [list(r) for r in cur.fetchmany(1000)] if cur.description else []
                affected = cur.rowcount
            if call.writes:
                conn.commit()
            else:
                conn.rollback()
    except psycopg.errors.QueryCanceled as exc:
        raise StepFailure(f"statement cancelled after {deadline_s:.0f}s", "timeout") from exc
    except psycopg.OperationalError as exc:
        raise StepFailure(f"PostgreSQL unreachable: {_first_line(exc)}") from exc
    except psycopg.Error as exc:
        raise StepFailure(f"PostgreSQL error: {_first_line(exc)}") from exc
    if not columns:
        return StepResult("ok", f"{max(affected, 0)} rows affected")
    return table(f"{len(rows)} rows", columns, rows)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return clean(text[0] if text else type(exc).__name__, max_len=200, single_line=True)
