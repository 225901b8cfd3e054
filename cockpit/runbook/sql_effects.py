"""SQL that changes something even inside a read-only transaction: the one list, and its finder.

Diagnostic SQL steps run in a read-only transaction, but that only stops writes to tables.
A server function with a side effect runs all the same: `pg_terminate_backend` kills a
session, `lo_export` writes a file on the database host, `dblink` opens a second connection
that is not read-only. A SQL step is therefore judged by what its text calls, never by its
role: anything listed here makes the step mutating (`safety.changes_platform`), so validate
refuses it outside role=mitigate and a read-only session refuses to run it.

Matching is on identifiers outside string literals, dollar-quoted bodies and comments
(see `sql_tokens`), case-insensitively; a schema-qualified name (`pg_catalog.set_config`)
and a quoted identifier (`"pg_terminate_backend"(pid)`) count as the plain name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cockpit.runbook.sql_tokens import Token, sql_tokens

SIDE_EFFECT_FUNCTIONS: dict[str, str] = {
    # Other sessions and the server: a read-only transaction does not stop any of these.
    "pg_terminate_backend": "kills another session",
    "pg_cancel_backend": "cancels another session's query",
    "pg_reload_conf": "makes the server reload its configuration",
    "pg_rotate_logfile": "rotates the server log",
    "pg_promote": "promotes a standby",
    "pg_switch_wal": "forces a WAL switch",
    "pg_create_restore_point": "writes a WAL restore point",
    "pg_backup_start": "starts a base backup",
    "pg_backup_stop": "stops a base backup",
    "pg_start_backup": "starts a base backup",
    "pg_stop_backup": "stops a base backup",
    "pg_wal_replay_pause": "pauses recovery on a standby",
    "pg_wal_replay_resume": "resumes recovery on a standby",
    "pg_log_backend_memory_contexts": "makes another session write to the server log",
    "pg_notify": "sends a notification to listening sessions",
    "set_config": "changes a server setting (e.g. switches read-only off for the session)",
    # Replication slots: consuming or dropping one loses changes for its subscriber.
    "pg_create_physical_replication_slot": "creates a replication slot",
    "pg_create_logical_replication_slot": "creates a replication slot",
    "pg_copy_physical_replication_slot": "creates a replication slot",
    "pg_copy_logical_replication_slot": "creates a replication slot",
    "pg_drop_replication_slot": "drops a replication slot",
    "pg_replication_slot_advance": "advances a replication slot",
    "pg_logical_slot_get_changes": "consumes a replication slot's changes",
    "pg_logical_slot_get_binary_changes": "consumes a replication slot's changes",
    "pg_logical_emit_message": "writes a message into the WAL",
    # Large objects and server files: the database host's disk.
    "lo_import": "reads a server file into a new large object",
    "lo_export": "writes a file on the database host",
    "lo_unlink": "deletes a large object",
    "lo_create": "creates a large object",
    "lo_creat": "creates a large object",
    "lo_put": "writes into a large object",
    "lo_from_bytea": "creates a large object",
    "lo_truncate": "truncates a large object",
    "lo_truncate64": "truncates a large object",
    "lowrite": "writes into a large object",
    "setval": "moves a sequence",
    "nextval": "advances a sequence",
    # SQL given as text runs unseen by this check (and dblink on a read-write connection).
    "query_to_xml": "runs SQL passed as a string",
    "query_to_xmlschema": "runs SQL passed as a string",
    "query_to_xml_and_xmlschema": "runs SQL passed as a string",
    "ts_stat": "runs SQL passed as a string",
    "ts_rewrite": "may run SQL passed as a string",
}
"""Function name -> what it does that a read-only transaction does not prevent."""

SIDE_EFFECT_PREFIXES: dict[str, str] = {
    "dblink": "runs SQL on another connection, outside the read-only transaction",
    "pg_stat_reset": "resets statistics the team relies on",
    "pg_stat_statements_reset": "resets statement statistics",
    "pg_advisory": "takes an advisory lock other sessions wait on",
    "pg_try_advisory": "takes an advisory lock other sessions wait on",
    "pg_replication_origin_": "changes replication origin state",
    "pg_file_": "writes, renames or deletes a file on the database host (adminpack)",
}
"""Families: every function whose name starts with the key (dblink_exec, pg_stat_reset_shared)."""

WRITE_KEYWORDS: dict[str, str] = {
    "insert": "writes rows",
    "update": "writes rows (or locks them: FOR UPDATE)",
    "delete": "deletes rows",
    "merge": "writes rows",
    "truncate": "empties tables",
    "create": "creates objects",
    "alter": "changes objects or settings",
    "drop": "drops objects",
    "grant": "changes privileges",
    "revoke": "changes privileges",
    "copy": "reads or writes tables, server files and programs (COPY ... TO/PROGRAM)",
    "into": "creates a table (SELECT INTO) or writes rows",
    "vacuum": "runs maintenance",
    "lock": "locks tables",
    "do": "runs a procedural block",
    "call": "runs a procedure",
    "commit": "ends the read-only transaction",
    "rollback": "ends the read-only transaction",
    "savepoint": "controls the transaction",
}
"""Keywords that mean a write or leave the read-only transaction, wherever they appear."""

LEADING_KEYWORDS: dict[str, str] = {
    "analyze": "runs maintenance",
    "begin": "controls the transaction",
    "start": "controls the transaction",
    "end": "ends the read-only transaction",
    "abort": "ends the read-only transaction",
    "release": "controls the transaction",
    "prepare": "prepares a statement or a two-phase commit",
    "execute": "runs a prepared statement this check cannot see",
    "deallocate": "drops prepared statements",
    "set": "changes a session setting",
    "reset": "changes a session setting",
    "discard": "drops session state",
    "comment": "changes object comments",
    "security": "changes security labels",
    "cluster": "rewrites a table",
    "reindex": "rebuilds indexes",
    "refresh": "refreshes a materialized view",
    "checkpoint": "forces a checkpoint",
    "load": "loads a shared library into the server",
    "import": "imports a foreign schema",
    "listen": "subscribes the session to notifications",
    "unlisten": "changes the session's notifications",
    "notify": "sends a notification",
    "reassign": "changes object ownership",
}
"""Words that are statements only at the start of one (`END` also closes a CASE)."""


@dataclass(frozen=True, slots=True)
class SqlEffect:
    """One side effect found in a SQL text: the word, why it counts, its 0-based line.

    `call` is True for a function call, False for a statement keyword."""

    name: str
    reason: str
    line: int
    call: bool = False

    def describe(self) -> str:
        """`calls pg_terminate_backend(), which kills another session` and the like."""
        if self.call:
            return f"calls {self.name}(), which {self.reason}"
        return f"uses {self.name.upper()}, which {self.reason}"


def side_effects(sql: str) -> tuple[SqlEffect, ...]:
    """Every side-effect call and write keyword in `sql`, in text order."""
    return _side_effects(sql)


@lru_cache(maxsize=512)
def _side_effects(sql: str) -> tuple[SqlEffect, ...]:
    tokens = [t for t in sql_tokens(sql) if t.kind != "space"]
    found: list[SqlEffect] = []
    leading = True
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind in ("word", "quoted"):
            reason = _function_reason(token.value) if _is_call(following) else None
            if reason is not None:
                found.append(SqlEffect(token.value, reason, token.line, call=True))
            elif token.kind == "word":
                reason = WRITE_KEYWORDS.get(token.value)
                if reason is None and leading:
                    reason = LEADING_KEYWORDS.get(token.value)
                if reason is not None:
                    found.append(SqlEffect(token.value, reason, token.line))
        leading = token.kind == "op" and token.value == ";"
    return tuple(found)


def _is_call(token: Token | None) -> bool:
    return token is not None and token.kind == "op" and token.value == "("


def _function_reason(name: str) -> str | None:
    reason = SIDE_EFFECT_FUNCTIONS.get(name)
    if reason is not None:
        return reason
    return next((why for p, why in SIDE_EFFECT_PREFIXES.items() if name.startswith(p)), None)
