"""Absence is not health: which Prometheus job feeds a metric source, and is it still up?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cockpit.sources import _values as v
from cockpit.sources.base import SourceError
from cockpit.sources.promql import PrometheusApi, Sample, escape_label_value

AUTO = "auto"
"""Job setting meaning: learn the job names from the `job` label of the source's series."""

ABSENT = "absent"
"""`SourceError.kind` for a source whose series vanished because their job is down."""

_MAX_JOBS = 8


@dataclass(frozen=True, slots=True)
class JobVerdict:
    """What the `up` series of a source's jobs said during one poll."""

    targets: int
    down: int


class JobWatch:
    """Adds two cheap queries to a metric source's poll and judges the job's health.

    `job` is a Prometheus job name, AUTO (the jobs seen on the source's own series at the
    last poll that had some, or in the last hour), or "" (no check). An explicit job is
    checked on every poll.
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
        if self.jobs:
            extra.append(_up_query(self.jobs))
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
        had = self.had_series
        if series:
            self.had_series = True
        if jobs:
            self._conclude(jobs, _verdict(answers[0], notes), series, had, notes)

    async def recall(self, api: PrometheusApi, series: int, notes: v.Notes) -> None:
        """AUTO, nothing learned yet and no series (started while the exporter was down):
        find the jobs that exported the metric in the last hour and judge their `up`."""
        if self.job != AUTO or self._learned or series:
            return
        try:
            recent, _ = await api.query(f"count by (job) (last_over_time({self.metric}[1h]))")
            jobs = tuple(sorted({s.labels.get("job", "") for s in recent} - {""})[:_MAX_JOBS])
            up = (await api.query(_up_query(jobs)))[0] if jobs else []
        except SourceError:
            return  # e.g. a backend without last_over_time: nothing more can be said
        if not jobs:
            notes.add(
                f"no {self.metric} series in Prometheus for the last hour: is its exporter "
                f"scraped? (name its job in {self.setting})"
            )
            return
        self._learned = jobs
        self._conclude(jobs, _verdict(up, notes), series, False, notes)

    def _conclude(
        self, jobs: tuple[str, ...], verdict: JobVerdict, series: int, had: bool, notes: v.Notes
    ) -> None:
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


def _up_query(jobs: tuple[str, ...]) -> str:
    if len(jobs) == 1:
        return f'up{{job="{escape_label_value(jobs[0])}"}}'
    alternatives = "|".join(_regex_escape(j) for j in jobs)
    return f'up{{job=~"{escape_label_value(alternatives)}"}}'


def _verdict(up: list[Sample], notes: v.Notes) -> JobVerdict:
    down = 0
    for sample in up:
        value = v.number(sample.value, notes, "up")
        if value is not None and value < 1:
            down += 1
    return JobVerdict(len(up), down)


def _regex_escape(value: str) -> str:
    # RE2 (Prometheus) and Python agree on these metacharacters.
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in value)
