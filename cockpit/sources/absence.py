"""Absence is not health: which Prometheus job feeds a metric source, and is it still up?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cockpit.sources import _values as v
from cockpit.sources.base import SourceError
from cockpit.sources.promql import Sample, escape_label_value

AUTO = "auto"
"""Job setting meaning: learn the job names from the `job` label of the source's series."""

ABSENT = "absent"
"""`SourceError.kind` for a source whose series vanished because their job is down."""

_MAX_JOBS = 8


@dataclass(frozen=True, slots=True)
class JobVerdict:
    """What the `up` series of a source's jobs said during one poll."""

    jobs: tuple[str, ...]
    targets: int
    down: int


class JobWatch:
    """Adds two cheap queries to a metric source's poll and judges the job's health.

    `job` is a Prometheus job name, AUTO (the jobs seen on the source's own series at the
    last poll that had some), or "" (no check). An explicit job is checked on every poll; in
    AUTO mode nothing is known until the series have been seen once.
    """

    def __init__(self, job: str, metric: str, setting: str) -> None:
        self.job = job
        self.metric = metric
        self.setting = setting
        """The config key naming the job, quoted in messages (e.g. `[sources.jobs] kafka`)."""
        self._learned: tuple[str, ...] = ()
        self.had_series = False

    @property
    def jobs(self) -> tuple[str, ...]:
        """Jobs whose `up` is checked at the next poll."""
        if self.job == AUTO:
            return self._learned
        return (self.job,) if self.job else ()

    def queries(self) -> list[str]:
        """The extra queries: jobs of the series (AUTO only), then `up` of the known jobs."""
        extra = [f"count by (job) ({self.metric})"] if self.job == AUTO else []
        jobs = self.jobs
        if len(jobs) == 1:
            extra.append(f'up{{job="{escape_label_value(jobs[0])}"}}')
        elif jobs:
            alternatives = "|".join(_regex_escape(j) for j in jobs)
            extra.append(f'up{{job=~"{escape_label_value(alternatives)}"}}')
        return extra

    def judge(self, series: int, answers: Sequence[list[Sample]], notes: v.Notes) -> None:
        """Raise SourceError(ABSENT) when the series are gone and their job is down or
        unscraped; add a warning (partial data) when only some targets are down."""
        answers = list(answers)
        jobs = self.jobs
        if self.job == AUTO:
            seen = sorted({s.labels.get("job", "") for s in answers.pop(0)} - {""})
            if seen:
                self._learned = tuple(seen[:_MAX_JOBS])
        verdict = _verdict(jobs, answers[0] if jobs else [], notes)
        had = self.had_series
        if series:
            self.had_series = True
        if not jobs:
            return
        named = ", ".join(jobs)
        if verdict.targets == 0:
            if series == 0:
                raise SourceError(
                    ABSENT, f"no series from job {named}: Prometheus has no target of that job"
                )
            if self.job != AUTO:
                notes.add(f"job {named} has no target in Prometheus: check {self.setting}")
            return
        if verdict.down:
            count = f"up == 0 on {verdict.down} of {verdict.targets} targets"
            if series == 0:
                raise SourceError(ABSENT, f"no series from job {named}: exporter down? ({count})")
            notes.add(f"job {named}: {count}; data may be partial")
        elif series == 0 and had:
            notes.add(f"no series although job {named} is up: metric renamed or scrape failing?")


def _verdict(jobs: tuple[str, ...], up: list[Sample], notes: v.Notes) -> JobVerdict:
    down = 0
    for sample in up:
        value = v.number(sample.value, notes, "up")
        if value is not None and value < 1:
            down += 1
    return JobVerdict(jobs, len(up), down)


def _regex_escape(value: str) -> str:
    # RE2 (Prometheus) and Python agree on these metacharacters.
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in value)
