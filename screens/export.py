"""Export dialog: choose a template, redaction and the output file; writes the Markdown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cockpit.export.render import DEFAULT_TEMPLATE, available_names
from cockpit.export.run import ExportError, export_markdown, user_template_dirs, write_export
from cockpit.sanitize import clean
from cockpit.startup import log_key


class ExportDialog(ModalScreen[Path | None]):
    """Writes the post-mortem of `log_path`; says where it went, or why it could not."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 90%; max-width: 100; height: auto; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    ExportDialog Horizontal { height: auto; }
    ExportDialog Checkbox { border: none; }
    ExportDialog #export-result { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, log_path: str, *, output_dir: Path | None = None) -> None:
        super().__init__()
        self._log = log_path
        self._dirs = user_template_dirs()
        folder = output_dir if output_dir is not None else Path(log_path).parent
        self._default_out = folder / f"{Path(log_path).stem}-{DEFAULT_TEMPLATE}.md"
        self.written: Path | None = None
        self.busy = False
        """True while the worker renders; a second Export waits for it."""

    def compose(self) -> ComposeResult:
        """Template, redaction, output path, buttons, the result line."""
        names = available_names(self._dirs)
        with Vertical():
            yield Label(Text("Export the post-mortem (Markdown) from the incident log"))
            yield Select([(n, n) for n in names], value=DEFAULT_TEMPLATE, allow_blank=False,
                         id="export-template")  # fmt: skip
            yield Checkbox("Redact tenant ids, e-mails and phone numbers", id="export-redact")
            yield Input(str(self._default_out), id="export-output")
            with Horizontal():
                yield Button("Export", id="export-go", variant="primary")
                yield Button("Close", id="export-close")
            yield Static("", id="export-result")

    def on_select_changed(self, event: Select.Changed) -> None:
        """Follow the template in the suggested file name while it is still the default."""
        field = self.query_one("#export-output", Input)
        folder = Path(field.value).parent
        if Path(field.value).name.startswith(f"{Path(self._log).stem}-"):
            field.value = str(folder / f"{Path(self._log).stem}-{event.value}.md")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Enter in the path field exports."""
        self.export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Export or close."""
        if event.button.id == "export-go":
            self.export()
        else:
            self.dismiss(self.written)

    def export(self) -> None:
        """Render and write in a thread worker (a big log must not freeze the screen); the
        result line shows each stage, then where the file is or what went wrong."""
        template = str(self.query_one("#export-template", Select).value)
        redact = self.query_one("#export-redact", Checkbox).value
        output = self.query_one("#export-output", Input).value.strip()
        if not output:
            self._result(Text("Give an output file.", "bold red"))
            return
        if self.busy:
            self._result(Text("An export is already running.", "yellow"))
            return
        self.busy = True
        self.query_one("#export-go", Button).disabled = True
        log, dirs, key = self._log, self._dirs, log_key(os.environ)

        def progress(stage: str) -> None:
            self.app.call_from_thread(self._result, Text(f"Exporting: {stage}...", "yellow"))

        def work() -> None:
            try:
                document = export_markdown(log, template=template, redact=redact, key=key,
                                           user_dirs=dirs, progress=progress)  # fmt: skip
                progress(f"writing {Path(output).name}")
                path = write_export(document, output).resolve()
            except ExportError as err:
                self.app.call_from_thread(self._failed, str(err))
                return
            self.app.call_from_thread(self._written, path, document.warning)

        self._result(Text("Exporting: starting...", "yellow"))
        self.run_worker(work, thread=True, exclusive=True, group="export")

    def _result(self, line: Text) -> None:
        if self.is_attached:  # closed while the worker ran: the app notifies instead
            self.query_one("#export-result", Static).update(line)

    def _finish(self, summary: str) -> None:
        self.busy = False
        if self.is_attached:
            self.query_one("#export-go", Button).disabled = False
        else:
            self.app.notify(summary, title="Export")

    def _failed(self, why: str) -> None:
        self._finish(f"Not exported: {clean(why, single_line=True)}")
        self._result(Text(f"Not exported: {clean(why, single_line=True)}", "bold red"))

    def _written(self, path: Path, warning: str | None) -> None:
        self._finish(f"Written to {clean(path, single_line=True)}")
        line = Text(f"Written to {clean(path, single_line=True)}", "bold green")
        if warning:
            line.append(f"\nWarning: {clean(warning, single_line=True)}", "bold yellow")
        self._result(line)
        self.written = path

    def action_close(self) -> None:
        """Close, handing back the file written (if any)."""
        self.dismiss(self.written)
