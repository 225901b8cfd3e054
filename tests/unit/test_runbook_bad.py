"""Each broken runbook in data/runbooks_bad is refused with exactly the expected rule and line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cockpit.runbook.cli import validate_main
from cockpit.runbook.model import RunbookError
from cockpit.runbook.parse import parse_runbook
from cockpit.runbook.validate import load_runbooks

BAD = Path(__file__).parent / "data" / "runbooks_bad"

# file -> (rule, line in that file)
EXPECTED = {
    "bad_yaml.md": ("front-matter-yaml", 6),
    "no_front_matter.md": ("front-matter-missing", 1),
    "bad_severity.md": ("front-matter-field", 4),
    "unknown_kind.md": ("unknown-step-kind", 15),
    "unknown_attribute.md": ("unknown-attribute", 15),
    "bad_info_string.md": ("bad-attribute", 15),
    "missing_attribute.md": ("missing-attribute", 15),
    "param_without_pattern.md": ("param-without-pattern", 7),
    "undeclared_param.md": ("undeclared-param", 18),
    "invalid_regex.md": ("invalid-regex", 9),
    "default_mismatch.md": ("param-default-mismatch", 9),
    "mitigate_without_confirm.md": ("mitigate-needs-confirm", 15),
    "danger_without_typed.md": ("danger-needs-typed", 15),
    "duplicate_step_id.md": ("duplicate-step-id", 21),
    "duplicate_id_2.md": ("duplicate-runbook-id", 2),
    "unknown_alert.md": ("unknown-alert", 7),
    "sql_string_formatting.md": ("sql-string-formatting", 18),
    "sql_quoted_placeholder.md": ("sql-string-formatting", 16),
    "exec_not_a_list.md": ("exec-argv", 15),
    "exec_partial_placeholder.md": ("exec-partial-placeholder", 15),
    "k8s_unknown_action.md": ("k8s-unknown-action", 15),
    "k8s_write_not_mitigate.md": ("write-needs-mitigate-role", 15),
    "k8s_bad_env_name.md": ("k8s-env-name", 15),
    "k8s_env_param_type.md": ("env-key-param-type", 13),
    "http_literal_secret.md": ("http-literal-secret", 15),
    "unclosed_fence.md": ("unclosed-fence", 15),
    # Read-only by capability: the line of the call itself, not a string or comment above.
    "sql_side_effect.md": ("sql-side-effect", 19),
    "exec_not_readonly.md": ("needs-readonly", 15),
    "http_get_not_readonly.md": ("needs-readonly", 15),
    "readonly_mitigation.md": ("readonly-mitigation", 15),
    "readonly_wrong_kind.md": ("attribute-not-for-kind", 15),
}


@pytest.fixture(scope="module")
def loaded():
    return load_runbooks([BAD])


def test_every_bad_file_has_an_expectation() -> None:
    names = {p.name for p in BAD.glob("*.md")} - {"duplicate_id_1.md"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_yields_rule_and_line(loaded, name: str) -> None:
    refused = {f.path.name: f for f in loaded.refused}
    assert name in refused, f"{name} was accepted"
    found = [(p.rule, p.line) for p in refused[name].problems]
    assert found == [EXPECTED[name]]
    problem = refused[name].problems[0]
    assert problem.file.endswith(name)
    assert problem.message and "\n" not in problem.message


def test_only_the_first_of_two_duplicate_ids_is_kept(loaded) -> None:
    assert [r.path.name for r in loaded.runbooks] == ["duplicate_id_1.md"]
    message = next(f for f in loaded.refused if f.path.name == "duplicate_id_2.md").problems[0]
    assert "duplicate_id_1.md" in message.message


def test_parse_runbook_raises_with_problems() -> None:
    with pytest.raises(RunbookError) as info:
        parse_runbook(BAD / "mitigate_without_confirm.md")
    assert [p.rule for p in info.value.problems] == ["mitigate-needs-confirm"]
    assert "mitigate_without_confirm.md:15: [mitigate-needs-confirm]" in str(info.value)


def test_unknown_alert_rule_skipped_without_catalog(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "x.md").write_text((BAD / "unknown_alert.md").read_text())
    assert [f.problems[0].rule for f in load_runbooks([tmp_path]).refused] == ["unknown-alert"]
    # A None entry in sys.modules makes the import fail, as if catalog.py were absent.
    monkeypatch.setitem(sys.modules, "cockpit.runbook.catalog", None)
    without = load_runbooks([tmp_path])
    assert without.refused == ()
    assert [r.id for r in without.runbooks] == ["RB-912"]
    assert "not checked" in without.notes[0]


def test_validate_cli_prints_file_line_rule(capsys) -> None:
    assert validate_main(str(BAD)) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(EXPECTED)
    assert any(
        line.endswith(
            "mitigate_without_confirm.md:15: [mitigate-needs-confirm] step 'kill-idle' "
            "mitigates but has no confirm; add confirm=yes or confirm=typed"
        )
        for line in out
    )


def test_validate_cli_unreadable_dir(tmp_path: Path, capsys) -> None:
    assert validate_main(str(tmp_path / "missing")) == 2
    assert "cannot read runbook directory" in capsys.readouterr().err
    (tmp_path / "file.md").write_text("x")
    assert validate_main(str(tmp_path / "file.md")) == 2


def test_validate_cli_empty_dir(tmp_path: Path, capsys) -> None:
    assert validate_main(str(tmp_path)) == 1
    assert "no runbook" in capsys.readouterr().err
