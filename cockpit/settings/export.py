"""`[export.impact]`: the PromQL queries behind a post-mortem's impact figures."""

from __future__ import annotations

from typing import Annotated

from cockpit.settings.lite import AfterValidator, Field, Table
from cockpit.settings.types import TABLE_CONFIG, Seconds

WINDOW = "$window"
"""Placeholder for the incident window's length in seconds (`[$window]` -> `[3600s]`)."""
_PAIRS = {")": "(", "]": "[", "}": "{"}


def promql_problem(query: str) -> str | None:
    """Why `query` cannot be a PromQL expression (a lexical check), or None."""
    if not query.strip():
        return "the query is empty"
    if not query.isprintable():
        return "the query holds a control character (write it on one line)"
    if "$" in query.replace(WINDOW, ""):
        return f"the only placeholder is {WINDOW} (the incident window, as in [{WINDOW}])"
    stack: list[str] = []
    quote = ""
    escaped = False
    for char in query:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            stack.append(char)
        elif char in _PAIRS and (not stack or stack.pop() != _PAIRS[char]):
            return f"unbalanced {char!r}"
    if quote:
        return f"unclosed {quote} string"
    if stack:
        return f"unclosed {stack[-1]!r}"
    return None


def _check(query: str) -> str:
    problem = promql_problem(query)
    if problem is not None:
        raise ValueError(
            f"{problem}; give one PromQL expression returning one number, e.g. "
            f'"sum(increase(kyc_checks_failed_total[{WINDOW}]))"'
        )
    return query.strip()


PromQL = Annotated[str, AfterValidator(_check)]


class ImpactQueries(Table):
    """Queries evaluated over the incident window when a post-mortem is exported; a figure
    without a query stays for the team to fill in."""

    model_config = TABLE_CONFIG

    kyc_checks: PromQL | None = None
    """KYC checks impacted."""
    declarations: PromQL | None = None
    """TCR declarations impacted."""
    sla_breaches: PromQL | None = None
    """SLA breaches (a count)."""
    timeout_seconds: Seconds = 10.0

    def configured(self) -> dict[str, str]:
        """Figure name -> query, for the figures that have one."""
        named = {
            "kyc_checks": self.kyc_checks,
            "declarations": self.declarations,
            "sla_breaches": self.sla_breaches,
        }
        return {name: query for name, query in named.items() if query}


class ExportSettings(Table):
    """`[export]`: how exports are built."""

    model_config = TABLE_CONFIG

    impact: ImpactQueries = Field(default_factory=ImpactQueries)
