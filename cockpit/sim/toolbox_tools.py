"""The demo toolbox's programs: Kafka's command-line tools and curl, answered from the platform."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from cockpit.sim.toolbox_read import PlatformReader, Sample

Reply = tuple[int, str]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
SIMULATED = "(simulated: the demo models lag per partition, not offsets or consumers)"


def unavailable(what: str, why: str = "") -> Reply:
    """The one answer for anything the toolbox does not simulate (exit 127, like a shell)."""
    line = f"not available in the demo's simulated toolbox: {what}"
    return 127, line + (f" ({why})" if why else "")


def option(argv: Sequence[str], *names: str) -> str | None:
    """Value of `--name value` or `--name=value` in argv."""
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                return argv[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def kafka_tool(tool: str, argv: Sequence[str], reader: PlatformReader) -> Reply:
    """kafka-consumer-groups and kafka-topics, describe and list only (the demo is read-only)."""
    if tool == "kafka-consumer-groups":
        if "--list" in argv:
            return 0, "\n".join(sorted({s.labels.get("consumergroup", "") for s in _lags(reader)}))
        group = option(argv, "--group")
        if "--describe" in argv and group:
            return _describe_group(group, reader)
    if tool == "kafka-topics":
        if "--list" in argv:
            return 0, "\n".join(sorted({s.labels.get("topic", "") for s in _lags(reader)}))
        topic = option(argv, "--topic")
        if "--describe" in argv and topic and "--alter" not in argv:
            return _describe_topic(topic, reader)
    verb = next(
        (a for a in argv if a in ("--alter", "--delete", "--create", "--reset-offsets")), ""
    )
    if verb:
        return unavailable(f"{tool} {verb}", "the demo does not simulate changes to Kafka")
    return unavailable(f"{tool} {' '.join(a for a in argv if a.startswith('--'))}".strip())


def _lags(reader: PlatformReader, selector: str = "") -> list[Sample]:
    return reader.vector(f"kafka_consumer_lag{{{selector}}}" if selector else "kafka_consumer_lag")


def _describe_group(group: str, reader: PlatformReader) -> Reply:
    if not _NAME.fullmatch(group):
        return 1, f"Error: invalid consumer group name {group!r}"
    rows = sorted(
        (s.labels.get("topic", ""), int(s.labels.get("partition", "0")), int(s.value))
        for s in _lags(reader, f'consumergroup="{group}"')
    )
    if not rows:
        return 1, f"Error: Consumer group '{group}' does not exist."
    head = ("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID")
    table = [head, *((group, t, str(p), "-", "-", str(lag), "-") for t, p, lag in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    cells = ("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table)
    lines = ["", *(line.rstrip() for line in cells)]
    total = sum(lag for _, _, lag in rows)
    return 0, "\n".join([*lines, "", f"total lag: {total}  {SIMULATED}"])


def _describe_topic(topic: str, reader: PlatformReader) -> Reply:
    if not _NAME.fullmatch(topic):
        return 1, f"Error: invalid topic name {topic!r}"
    partitions = sorted(
        {int(s.labels.get("partition", "0")) for s in _lags(reader, f'topic="{topic}"')}
    )
    if not partitions:
        return (
            1,
            f"Error while executing topic command : Topic '{topic}' does not exist as expected",
        )
    lines = [f"Topic: {topic}\tPartitionCount: {len(partitions)}\t{SIMULATED}"]
    lines += [f"\tTopic: {topic}\tPartition: {p}" for p in partitions]
    return 0, "\n".join(lines)


def curl(argv: Sequence[str], reader: PlatformReader, now: datetime) -> Reply:
    """`curl ... HOST`: the certificate the simulated tenant domain serves (its expiry)."""
    targets = [a for a in argv[1:] if not a.startswith("-")]
    url = targets[-1] if targets else ""
    host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0].split(":", 1)[0].lower()
    if not host:
        return 2, "curl: no URL specified"
    days = [s.value for s in reader.vector("cert_expiry_days") if s.labels.get("domain") == host]
    if not days:
        return 6, f"curl: (6) Could not resolve host: {host} (not part of the demo's platform)"
    expires = now + timedelta(days=min(days))
    lines = [
        f"* Connected to {host} (simulated) port 443",
        "* Server certificate:",
        f"*  subject: CN={host}",
        f"*  expire date: {expires:%b %d %H:%M:%S %Y} GMT ({min(days):.1f} days left)",
        "*  issuer: C=US; O=Let's Encrypt; CN=R11 (simulated)",
        "< HTTP/1.1 200 OK",
    ]
    return 0, "\n".join(lines)
