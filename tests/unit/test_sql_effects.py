"""SQL side effects are found by what the text calls, outside strings, quotes and comments."""

from __future__ import annotations

import pytest

from cockpit.runbook.sql_effects import (
    LEADING_KEYWORDS,
    SIDE_EFFECT_FUNCTIONS,
    SIDE_EFFECT_PREFIXES,
    WRITE_KEYWORDS,
    side_effects,
)
from cockpit.runbook.sql_tokens import sql_tokens


def names(sql: str) -> list[str]:
    return [e.name for e in side_effects(sql)]


@pytest.mark.parametrize("function", sorted(SIDE_EFFECT_FUNCTIONS))
def test_every_listed_function_is_found_when_called(function: str) -> None:
    assert names(f"SELECT {function}(1)") == [function]
    assert names(f"SELECT pg_catalog.{function.upper()} (1)") == [function]
    (effect,) = side_effects(f"SELECT x,\n  {function}(x) FROM t")
    assert effect.call and effect.line == 1
    assert effect.describe().startswith(f"calls {function}(), which ")


@pytest.mark.parametrize(
    "function",
    ["dblink", "dblink_exec", "dblink_connect", "pg_stat_reset", "pg_stat_reset_shared",
     "pg_advisory_lock", "pg_try_advisory_xact_lock", "pg_file_write", "pg_file_unlink",
     "pg_replication_origin_create", "pg_stat_statements_reset"],
)  # fmt: skip
def test_families_by_prefix(function: str) -> None:
    assert names(f"select * from {function}('x')") == [function]
    assert any(function.startswith(p) for p in SIDE_EFFECT_PREFIXES)


@pytest.mark.parametrize("word", sorted(WRITE_KEYWORDS))
def test_write_keywords_anywhere(word: str) -> None:
    assert word in names(f"WITH x AS (SELECT 1) SELECT 1 FROM t; {word.upper()} t")
    assert side_effects(f"select 1 {word}")[0].describe().startswith(f"uses {word.upper()}")


@pytest.mark.parametrize("word", sorted(LEADING_KEYWORDS))
def test_statement_keywords_only_at_the_start_of_a_statement(word: str) -> None:
    assert names(f"{word} something") == [word]
    assert names(f"SELECT 1; {word.upper()} something") == [word]
    assert names(f"SELECT {word} FROM t") == []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'pg_terminate_backend(pid)' AS hint",
        "SELECT 'it''s pg_cancel_backend(1)'",
        "SELECT E'it\\'s set_config(1) here'",
        "SELECT $$ pg_terminate_backend(1) $$",
        "SELECT $body$ select lo_export(1, '/tmp/x') $body$",
        "SELECT 1 -- pg_reload_conf()",
        "SELECT /* pg_reload_conf() /* nested */ still comment dblink('x') */ 1",
        'SELECT 1 AS "pg_terminate_backend"',
        "SELECT pg_terminate_backend FROM t",
        "SELECT %(update)s, %(pg_cancel_backend)s",
        "SELECT CASE WHEN x THEN 1 ELSE 0 END, last_vacuum, last_analyze FROM t",
        "SELECT pg_stat_activity.pid, pg_backend_pid(), lo_get(1) FROM pg_stat_activity",
    ],
)
def test_literals_comments_aliases_and_reads_are_not_flagged(sql: str) -> None:
    assert names(sql) == []


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ('SELECT "pg_terminate_backend"(pid) FROM x', "pg_terminate_backend"),
        ('SELECT U&"pg\\005fterminate_backend"(1)', "pg_terminate_backend"),
        ("SELECT U&\"pg!005fcancel_backend\" UESCAPE '!' (1)", "pg_cancel_backend"),
        ("SELECT E'\\'', pg_reload_conf()", "pg_reload_conf"),
        ("SELECT 'a''', set_config('x', 'y', false)", "set_config"),
        ("SELECT $a$ $$ $a$, lo_unlink(1)", "lo_unlink"),
        ("SELECT /* c */ pg_terminate_backend /* c */ (1)", "pg_terminate_backend"),
        ("COPY (SELECT 1) TO PROGRAM 'rm -rf /'", "copy"),
        ("WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone", "delete"),
        ("DO $$ BEGIN PERFORM pg_terminate_backend(1); END $$", "do"),
        ("SELECT 1;\nCOMMIT;\nSELECT 2", "commit"),
    ],
)
def test_calls_hidden_by_quoting_tricks_are_found(sql: str, found: str) -> None:
    assert found in names(sql)


def test_tokens_keep_lines_and_skip_an_unterminated_string() -> None:
    tokens = [
        t for t in sql_tokens("SELECT\n  x\n'open string pg_reload_conf()") if t.kind != "space"
    ]
    assert [(t.kind, t.value, t.line) for t in tokens] == [
        ("word", "select", 0),
        ("word", "x", 1),
        ("string", "", 2),
    ]
    assert names("SELECT 'open pg_reload_conf()") == []
