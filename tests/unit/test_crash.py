"""Crash reports: code lines kept, local variables never shown, known secrets masked."""

from __future__ import annotations

import sys

import pytest

from cockpit.crash import _excepthook, report
from cockpit.settings.secrets import Secret, redact


def _boom(token: Secret) -> None:
    plain = token.reveal()  # a local holding the revealed value
    raise RuntimeError(f"server said no to {plain} at postgresql://u:pw-9x@db/app")


def test_report_has_the_code_not_the_variables_and_masks_secrets() -> None:
    token = Secret("tok-4b1d-secret")
    try:
        _boom(token)
    except RuntimeError as err:
        text = report(err, width=100)
    assert "_boom" in text and "RuntimeError: server said no to ***" in text
    assert "tok-4b1d-secret" not in text and "pw-9x" not in text
    # Rich draws locals in a box titled "locals" (what Textual shows by default).
    assert " locals " not in text and "'tok-" not in text


def test_python_excepthook_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    Secret("routing-key-77aa")
    try:
        raise ValueError("routing key routing-key-77aa refused; Authorization: Bearer abc.def")
    except ValueError as err:
        _excepthook(type(err), err, err.__traceback__)
    err_text = capsys.readouterr().err
    assert "routing-key-77aa" not in err_text and "abc.def" not in err_text
    assert "ValueError: routing key *** refused" in err_text
    assert sys.excepthook is not _excepthook  # installing it is the caller's choice


def test_a_secret_never_prints_and_redact_knows_dsn_passwords() -> None:
    dsn = Secret("host=db password='p w-Q8' user=x")
    assert str(dsn) == f"{dsn}" == "***" and repr(dsn) == "Secret(***)"
    assert "p w-Q8" not in redact("libpq: host=db password='p w-Q8' user=x; again p w-Q8")
