"""Command line: subcommands of DESIGN.md; heavy modules are imported only when needed."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cockpit import __version__


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="config file (default: search order)")
    parser.add_argument("--env", metavar="NAME", help="named environment from the config")
    parser.add_argument("--read-only", action="store_true", help="hide every mutating action")


def _build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every subcommand, or only the one named `only` ("" for
    none: live mode)."""
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description="Terminal incident cockpit: live panes, runbooks and a hash-chained log.",
    )
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    _add_common(parser)
    parser.set_defaults(
        run=_run_live, config=None, env=None, read_only=False, log=None, incident=None
    )
    parser.add_argument("--log", metavar="FILE", help="join or create this log (live mode)")
    parser.add_argument(
        "--incident",
        metavar="ID",
        help="join this incident of the shared log ([incident] store); --log is the mirror",
    )
    # The common options are accepted before or after the subcommand; SUPPRESS keeps a value
    # given before it from being reset by the subcommand's own default.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    _add_common(common)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, add in _COMMANDS.items():
        if only is None or name == only:
            add(sub, common)
    return parser


def _add_demo(sub: Any, common: argparse.ArgumentParser) -> None:
    demo = sub.add_parser(
        "demo", parents=[common], help="the cockpit on a built-in simulated platform"
    )
    demo.add_argument("--speed", type=float, default=1.0, help="scenario speed (1 = real time)")
    demo.set_defaults(run=_run_demo)


def _add_replay(sub: Any, common: argparse.ArgumentParser) -> None:
    replay = sub.add_parser(
        "replay", parents=[common], help="replay a recorded incident log in the same screens"
    )
    replay.add_argument("log", nargs="?", metavar="LOG")
    replay.add_argument("--speed", type=float, default=1.0, help="playback speed (1 to 64)")
    replay.add_argument("--at", metavar="TIME", help="start at this time (RFC 3339 or T+mm:ss)")
    replay.add_argument("--sample", action="store_true", help="replay the shipped demo log")
    replay.set_defaults(run=_run_replay)


def _add_drill(sub: Any, common: argparse.ArgumentParser) -> None:
    drill = sub.add_parser(
        "drill", parents=[common], help="practise on a past incident log (simulated platform)"
    )
    drill.add_argument("log", nargs="?", metavar="LOG")
    drill.add_argument("--speed", type=float, default=1.0, help="drill speed (1 to 64)")
    drill.add_argument("--sample", action="store_true", help="drill on the shipped demo incident")
    drill.add_argument("--log-dir", type=Path, help="where the drill log goes")
    drill.set_defaults(run=_run_drill)


def _add_verify(sub: Any, common: argparse.ArgumentParser) -> None:
    verify = sub.add_parser(
        "verify",
        parents=[common],
        help="check a log's hash chain (exit 0 intact, 1 broken, 2 unreadable)",
    )
    verify.add_argument("log", metavar="LOG")
    verify.add_argument(
        "--expect",
        metavar="HASH",
        help="also check the chain against a hash recorded elsewhere (post-mortem footer, "
        "PagerDuty note): exit 1 when it is not in the log",
    )
    verify.set_defaults(run=_run_verify)


def _add_record(sub: Any, common: argparse.ArgumentParser) -> None:
    record = sub.add_parser(
        "record", parents=[common], help="headless recorder: poll the sources into a log"
    )
    record.add_argument("--log", required=True, metavar="FILE", help="log file to append to")
    record.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    record.add_argument(
        "--incident",
        metavar="ID",
        help="join this incident of the shared log ([incident] store); --log is the mirror",
    )
    record.set_defaults(run=_run_record, incident=None)


def _add_backfill(sub: Any, common: argparse.ArgumentParser) -> None:
    backfill = sub.add_parser(
        "backfill",
        parents=[common],
        help="rebuild an incident log from Prometheus history (exit 0 written, 2 nothing)",
    )
    backfill.add_argument(
        "--from", dest="start", required=True, metavar="T", help="start (RFC 3339, -2h, now)"
    )
    backfill.add_argument("--to", dest="end", required=True, metavar="T", help="end (same forms)")
    backfill.add_argument(
        "--step", metavar="S", help="seconds between samples: 15s, 1m (default: 15s or more)"
    )
    backfill.add_argument("-o", "--output", required=True, metavar="LOG", help="new log to write")
    backfill.set_defaults(run=_run_backfill)


def _add_export(sub: Any, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser(
        "export",
        parents=[common],
        help="post-mortem (Markdown) from a log, a debrief from a drill log (exit 0 written, "
        "1 written with a warning "
        "because the log failed verification, 2 nothing written)",
    )
    export.add_argument("log", metavar="LOG")
    export.add_argument(
        "--template",
        metavar="NAME|PATH",
        default="postmortem",
        help="postmortem (default), incident-report, a user template name or a file",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="output file (- for stdout)")
    export.add_argument(
        "--redact", action="store_true", help="mask tenant ids, e-mails and phone numbers"
    )
    export.add_argument(
        "--incident",
        metavar="ID",
        help="the incident to export when the log holds several (default: the last declared)",
    )
    export.add_argument(
        "--from",
        dest="start",
        metavar="T",
        help="post-mortem of a window of any log: its start (RFC 3339, T+mm:ss, -30m, now)",
    )
    export.add_argument("--to", dest="end", metavar="T", help="the window's end (same forms)")
    export.add_argument("--title", default="", help="the window's incident title")
    export.add_argument(
        "--severity", default="SEV-3", help="the window's incident severity (default SEV-3)"
    )
    export.set_defaults(run=_run_export)


def _add_runbooks(sub: Any, common: argparse.ArgumentParser) -> None:
    runbooks = sub.add_parser("runbooks", parents=[common], help="list, show and validate runbooks")
    rb_sub = runbooks.add_subparsers(title="runbook commands", metavar="ACTION", required=True)
    rb_list = rb_sub.add_parser("list", parents=[common], help="list known runbooks")
    rb_list.set_defaults(run=_run_runbooks_list)
    rb_show = rb_sub.add_parser("show", parents=[common], help="show one runbook")
    rb_show.add_argument("id", metavar="ID")
    rb_show.set_defaults(run=_run_runbooks_show)
    rb_val = rb_sub.add_parser(
        "validate",
        parents=[common],
        help="validate runbook files (file:line errors)",
    )
    rb_val.add_argument("dir", nargs="?", metavar="DIR")
    rb_val.set_defaults(run=_run_runbooks_validate)


def _add_config(sub: Any, common: argparse.ArgumentParser) -> None:
    config = sub.add_parser("config", parents=[common], help="configuration tools")
    cfg_sub = config.add_subparsers(title="config commands", metavar="ACTION", required=True)
    check = cfg_sub.add_parser("check", parents=[common], help="validate a config file")
    check.add_argument("file", nargs="?", metavar="FILE")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.set_defaults(run=_run_config_check)


def _add_rules(sub: Any, common: argparse.ArgumentParser) -> None:
    rules = sub.add_parser(
        "rules", parents=[common], help="print the Prometheus rules generated from the catalog"
    )
    rules.add_argument("--for-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    rules.set_defaults(run=_run_rules)


def _add_completion(sub: Any, common: argparse.ArgumentParser) -> None:
    completion = sub.add_parser(
        "completion", parents=[common], help="print a shell completion script (bash, zsh, fish)"
    )
    completion.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"), help="the shell")
    completion.add_argument("--list", choices=("runbooks", "envs"), help=argparse.SUPPRESS)
    completion.set_defaults(run=lambda args: _run_completion(_build_parser(), args))


# -- `cockpit log`: the shared incident log in PostgreSQL (list, pull, migrate) -------------


def _add_log_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    log = sub.add_parser("log", parents=[common], help="the shared incident log ([incident] store)")
    log_sub = log.add_subparsers(title="log commands", metavar="ACTION", required=True)
    log_list = log_sub.add_parser("list", parents=[common], help="list the incidents in the store")
    log_list.set_defaults(run=_run_log_list)
    log_pull = log_sub.add_parser(
        "pull", parents=[common], help="write one incident's chain to a file (cockpit verify)"
    )
    log_pull.add_argument("incident", metavar="INCIDENT")
    log_pull.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    log_pull.set_defaults(run=_run_log_pull)
    log_migrate = log_sub.add_parser(
        "migrate", parents=[common], help="create or upgrade the store's schema"
    )
    log_migrate.set_defaults(run=_run_log_migrate)


def _run_log_list(args: argparse.Namespace) -> int:
    from cockpit.log.pgcli import list_main

    return list_main(args.config, args.env)


def _run_log_pull(args: argparse.Namespace) -> int:
    from cockpit.log.pgcli import pull_main

    return pull_main(args.config, args.env, args.incident, args.output)


def _run_log_migrate(args: argparse.Namespace) -> int:
    from cockpit.log.pgcli import migrate_main

    return migrate_main(args.config, args.env)


# -- end of `cockpit log` ----------------------------------------------------------------------


_COMMANDS = {
    "demo": _add_demo,
    "replay": _add_replay,
    "drill": _add_drill,
    "verify": _add_verify,
    "record": _add_record,
    "backfill": _add_backfill,
    "export": _add_export,
    "runbooks": _add_runbooks,
    "config": _add_config,
    "rules": _add_rules,
    "log": _add_log_commands,
    "completion": _add_completion,
}
"""Each subcommand and what adds it to the parser, in the order `--help` lists them."""


def _run_demo(args: argparse.Namespace) -> int:
    from cockpit.launch import run_demo

    return run_demo(read_only=args.read_only, speed=args.speed, config=args.config, env=args.env)


def _run_live(args: argparse.Namespace) -> int:
    from cockpit.launch import run_live

    return run_live(
        config=args.config,
        env=args.env,
        read_only=args.read_only,
        log=args.log,
        incident=args.incident,
    )


def _run_replay(args: argparse.Namespace) -> int:
    from cockpit.launch import run_replay

    if args.sample:
        from cockpit.launch import sample_log

        log = str(sample_log())
    elif args.log is None:
        print("cockpit replay: give a LOG file, or --sample for the shipped demo", file=sys.stderr)
        return 2
    else:
        log = args.log
    return run_replay(log=log, speed=args.speed, at=args.at)


def _run_drill(args: argparse.Namespace) -> int:
    from cockpit.launch import run_drill, sample_log

    if args.log is None and not args.sample:
        print("cockpit drill: give a past incident LOG, or --sample", file=sys.stderr)
        return 2
    log = str(sample_log()) if args.sample else args.log
    return run_drill(log=log, speed=args.speed, log_dir=args.log_dir)


def _runbook_dirs(args: argparse.Namespace, *, strict: bool = False) -> list[Path] | None:
    """The shipped runbooks plus the config's `[runbooks] paths` (when a config is found).

    A config that cannot be read falls back to the shipped runbooks, or gives None when
    `strict` (validate must not pass on runbooks it never looked at)."""
    from cockpit.runbook.validate import default_runbook_dirs

    dirs = list(default_runbook_dirs())
    from cockpit.config import ConfigError, load_settings

    try:
        settings = load_settings(args.config, env_name=args.env)
    except ConfigError as err:
        tail = "" if strict else " (using the shipped runbooks only)"
        print(f"cockpit: {err}{tail}", file=sys.stderr)
        return None if strict else dirs
    dirs.extend(Path(p) for p in settings.runbooks.paths)
    return dirs


def _run_runbooks_list(args: argparse.Namespace) -> int:
    from cockpit.runbook.cli import list_main

    return list_main(_runbook_dirs(args) or [])


def _run_runbooks_show(args: argparse.Namespace) -> int:
    from cockpit.runbook.cli import show_main

    return show_main(args.id, _runbook_dirs(args) or [])


def _run_runbooks_validate(args: argparse.Namespace) -> int:
    from cockpit.runbook.cli import validate_main

    if args.dir:
        return validate_main(args.dir)
    dirs = _runbook_dirs(args, strict=True)
    return 2 if dirs is None else validate_main(dirs=dirs)


def _run_verify(args: argparse.Namespace) -> int:
    from cockpit.log.verify import main as verify_main

    return verify_main(args.log, expect=args.expect)


def _run_config_check(args: argparse.Namespace) -> int:
    from cockpit.config import check_main

    return check_main(args.file or args.config, strict=args.strict)


def _run_record(args: argparse.Namespace) -> int:
    from cockpit.record import main as record_main

    return record_main(
        config_path=args.config,
        env=args.env,
        log=args.log,
        duration=args.duration,
        incident=args.incident,
    )


def _run_backfill(args: argparse.Namespace) -> int:
    from cockpit.backfill.run import main as backfill_main
    from cockpit.clock import SystemClock

    return backfill_main(
        config_path=args.config,
        env=args.env,
        start=args.start,
        end=args.end,
        step=args.step,
        output=args.output,
        now=SystemClock().now(),
    )


def _run_export(args: argparse.Namespace) -> int:
    from cockpit.export.run import main as export_main
    from cockpit.export.window import WindowRequest

    window = None
    if (args.start is None) != (args.end is None):
        print("cockpit export: give both --from and --to (a window has two ends)", file=sys.stderr)
        return 2
    if args.start is not None:
        from cockpit.clock import SystemClock

        window = WindowRequest(args.start, args.end, SystemClock().now(), args.title, args.severity)
    elif args.title or args.severity != "SEV-3":
        print("cockpit export: --title and --severity go with --from/--to", file=sys.stderr)
        return 2
    return export_main(
        args.log,
        template=args.template,
        output=args.output,
        redact=args.redact,
        incident=args.incident,
        window=window,
        config=args.config,
        env=args.env,
    )


def _run_rules(args: argparse.Namespace) -> int:
    from cockpit.runbook.catalog import rules_main

    return rules_main(for_scale=args.for_scale)


def _run_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from cockpit.completion import main as completion_main

    return completion_main(parser, args)


_TIME_OPTIONS = frozenset({"--from", "--to", "--at"})


def _join_times(argv: Sequence[str]) -> list[str]:
    """`--from -30m` as `--from=-30m`: argparse takes a value starting with `-` for an option."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _TIME_OPTIONS:
            value = next(args, None)
            out.append(arg if value is None else f"{arg}={value}")
        else:
            out.append(arg)
    return out


_VALUED = frozenset({"--config", "--env", "--log", "--incident"})
"""The options before a subcommand that take the next word as their value."""


def _named(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names ("" for live mode), or None when the whole parser is
    needed: a help request without one, or a first word that is no subcommand."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif word == "--":
            break
        elif not word.startswith("-"):
            return word if word in _COMMANDS else None
        elif word in ("-h", "--help"):
            return None
    return ""


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    """`argv` parsed with only the parser of the subcommand it names: building all of them
    took 5 ms of every start. Any error is reported by the whole parser, which knows them
    all (a misspelt option before the subcommand can hide the subcommand from `_named`)."""
    only = _named(argv)
    if only is not None:
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                return _build_parser(only).parse_args(argv)
        except SystemExit as done:
            if done.code in (None, 0):  # --help or --version, printed to stdout
                raise
    return _build_parser().parse_args(argv)


_SCREENS = (_run_live, _run_demo, _run_replay, _run_drill)
"""Subcommands that open the app: it lets the collector run again after its first frame."""


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen subcommand; returns the process exit code."""
    import os

    from cockpit import codecache, gcpause, pgversion, yamlcache

    codecache.install()  # before Textual and our modules build their dataclasses
    pgversion.install()  # psycopg's version without importlib.metadata (1.1 MB)
    yamlcache.enable(codecache.cache_file().parent)
    gcpause.pause()  # until the first frame (the app settles it) or the batch work begins
    # No pydantic plugin is used: skip the scan of every installed package's entry points
    # that pydantic runs before building its first model (when a runbook's steps load).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Not kept in a local: this frame lasts as long as the app, the parser need not (0.1 MB).
    args = _parse(_join_times(sys.argv[1:] if argv is None else argv))
    if args.run not in _SCREENS:
        gcpause.settle()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `cockpit runbooks list | head`: the reader left; say nothing more, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
