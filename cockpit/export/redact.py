"""Redaction for exports: secrets always go, tenant ids and personal data on request."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # before key=value: "Authorization: Bearer x" must lose x, not just the word Bearer
    (re.compile(r"(?i)\b(bearer|token)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    # user:password@ in any URL (PostgreSQL DSNs, HTTP basic auth)
    (re.compile(r"(\b[a-zA-Z][\w+.-]*://[^\s:/@]+):(?!(?:\\?\*){3}@)[^\s@/]+@"), r"\1:***@"),
    # key=value and key: value pairs naming a secret (libpq DSNs, headers, env dumps)
    (
        re.compile(
            r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|"
            r"routing[_-]?key|authorization)(\s*[=:]\s*)(?!(?:\\?\*){3})(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
        ),
        r"\1\2***",
    ),
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"), "***"),  # JWT
    (re.compile(r"\b(?:gh[pousr]_|xox[abpr]-|glpat-)[\w-]{10,}"), "***"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "***"),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w.:/-])(?:\+\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}"
    r"|0\d(?:[\s.-]?\d{2}){4})(?![\w-])"
)


def scrub_secrets(text: str) -> str:
    """`text` with passwords, tokens and keys masked (never optional)."""
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


class Redactor:
    """Masks secrets always; with `personal`, also tenant ids, e-mails and phone numbers.

    Tenant ids become stable aliases (tenant-A, tenant-B...) so a reader can still tell
    that two lines are about the same tenant.
    """

    __slots__ = ("_aliases", "_personal", "_tenants")

    def __init__(self, *, personal: bool = False, tenants: Iterable[str] = ()) -> None:
        self._personal = personal
        known = sorted({t for t in tenants if t}, key=lambda t: (-len(t), t))
        self._aliases = {t: _alias(i) for i, t in enumerate(sorted(known))}
        self._tenants: re.Pattern[str] | None = None
        if personal and known:
            alternation = "|".join(re.escape(t) for t in known)
            self._tenants = re.compile(rf"(?<![\w.-])({alternation})(?![\w-])")

    @property
    def personal(self) -> bool:
        """True when tenant ids and personal data are masked too."""
        return self._personal

    def __call__(self, text: str) -> str:
        text = scrub_secrets(text)
        if not self._personal:
            return text
        text = _EMAIL.sub("[email]", text)
        text = _PHONE.sub("[phone]", text)
        if self._tenants is not None:
            text = self._tenants.sub(lambda m: self._aliases[m.group(1)], text)
        return text


def _alias(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"tenant-{letters}"
