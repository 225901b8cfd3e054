"""JSON Schema of the runbook format, generated from the pydantic models (runbook.schema.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from cockpit.runbook.spec import (
    STEP_KINDS,
    ArgocdBody,
    FrontMatter,
    HttpBody,
    K8sBody,
    StepAttrs,
)

SCHEMA_ID = "https://incident-cockpit.invalid/runbook.schema.json"


def runbook_schema() -> dict[str, Any]:
    """The schema document: front matter, step attributes and the structured step bodies."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (FrontMatter, "validation"),
        (StepAttrs, "validation"),
        (K8sBody, "validation"),
        (HttpBody, "validation"),
        (ArgocdBody, "validation"),
    ]
    _, top = models_json_schema(models, ref_template="#/$defs/{model}")
    defs = top.get("$defs", {})
    defs["ExecBody"] = {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string"},
        "description": "argv of an exec step; a {{ param }} placeholder is a whole item.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Cockpit runbook",
        "description": (
            "A runbook is Markdown with YAML front matter (FrontMatter). Fenced blocks whose "
            f"info string starts with one of {', '.join(STEP_KINDS)} are steps; the words after "
            "the kind are key=value attributes (StepAttrs). k8s, http and argocd bodies are "
            "YAML (K8sBody, HttpBody, ArgocdBody), exec bodies a list of strings (ExecBody), "
            "promql, sql and check bodies plain text."
        ),
        "$ref": "#/$defs/FrontMatter",
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as written to runbooks/runbook.schema.json (stable key order)."""
    return json.dumps(runbook_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m cockpit.runbook.schema [FILE]`: print the schema, or write it to FILE."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        Path(args[0]).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
