"""Pydantic models of what a runbook file may say: front matter and step attributes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

STEP_KINDS = ("promql", "logql", "sql", "k8s", "exec", "http", "check", "argocd")
"""Info-string words that turn a fenced code block into a runnable step."""

READONLY_KINDS = ("exec", "http")
"""Kinds that may do anything: they count as mutating unless declared readonly=true."""

ROLES = ("diagnose", "mitigate", "verify", "follow-up")
PARAM_TYPES = ("string", "int", "duration", "tenant", "k8s_name", "env_suffix", "label_value")

DURATION_RE = r"^([0-9]+(ms|s|m|h|d|w))+$"
"""A Prometheus-style duration: 30s, 5m, 1h30m, 7d."""

SOURCE_RE = r"^(label:[A-Za-z_][A-Za-z0-9_]*|incident:[a-z_]+|operator|default)$"

Duration = Annotated[str, StringConstraints(pattern=DURATION_RE)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ParamSpec(_Strict):
    """One declared parameter: its value is checked against `pattern` (full match) first."""

    name: Name = Field(description="Name used in placeholders: {{ name }} or %(name)s.")
    type: Literal[
        "string", "int", "duration", "tenant", "k8s_name", "env_suffix", "label_value"
    ] = Field(
        default="string",
        description="Value type; checked on top of the pattern (e.g. k8s_name must be DNS-1123).",
    )
    pattern: str = Field(
        min_length=1,
        description="Regular expression the whole value must match (Python re.fullmatch).",
    )
    source: Annotated[str, StringConstraints(pattern=SOURCE_RE)] = Field(
        description="Where the value comes from: label:NAME (alert label), incident:FIELD, "
        "operator (typed by the engineer) or default."
    )
    default: str | int | None = Field(
        default=None, description="Value used when the source has none (must match too)."
    )
    description: str = Field(default="", description="What the value is, shown in the form.")


class FrontMatter(_Strict):
    """The YAML block between the two `---` lines at the top of a runbook."""

    id: Annotated[str, StringConstraints(pattern=r"^RB-[0-9]{3}$")] = Field(
        description="Runbook id, RB-NNN, unique across every runbook directory."
    )
    title: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    severity: Literal["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    alerts: tuple[str, ...] = Field(
        default=(), description="Names of alerts of the catalog (runbooks/alerts.yaml)."
    )
    params: tuple[ParamSpec, ...] = ()
    owner: str = Field(default="", description="Team that keeps this runbook current.")


class StepAttrs(_Strict):
    """Attributes written after the kind in a step's fence: ```sql id=x role=diagnose ..."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    role: Literal["diagnose", "mitigate", "verify", "follow-up"]
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    confirm: Literal["none", "yes", "typed"] = Field(
        default="none", description="yes: a confirmation; typed: the target must be typed back."
    )
    danger: bool = Field(default=False, description="High risk; requires confirm=typed.")
    forbidden: str | None = Field(
        default=None,
        description="Who must approve it; a forbidden step is shown but never runs here.",
    )
    approval: str | None = Field(
        default=None,
        description="Two-person rule: who approves (text); another person approves the "
        "request by typing the target, then the requester may run the step for a while.",
    )
    target: str | None = Field(
        default=None, description="Text typed back for confirm=typed (placeholders allowed)."
    )
    timeout: Duration | None = None
    params: tuple[Name, ...] = Field(default=(), description="Parameters the step uses.")
    range: Duration | None = Field(
        default=None, description="promql, logql: range query window (absent: instant query)."
    )
    deadline: Duration | None = Field(
        default=None, description="check: due this long after the incident was detected."
    )
    readonly: bool = Field(
        default=False,
        description="exec/http: the step only reads; without it they count as mutating.",
    )


K8S_READ_ACTIONS = (
    "top-pods", "get-pods", "describe-pod", "describe-node", "logs", "events", "rollout-status",
)  # fmt: skip
K8S_WRITE_ACTIONS = (
    "scale", "set-env", "set-resources", "set-config", "rollout-restart", "rollout-undo",
)  # fmt: skip

K8sCount = Annotated[str, StringConstraints(pattern=r"^(\{\{ *[a-z][a-z0-9_]* *\}\}|[0-9]{1,3})$")]
K8sName = Annotated[str, StringConstraints(pattern=r"^(\{\{ *[a-z][a-z0-9_]* *\}\}|[a-z0-9.-]+)$")]


class K8sBody(_Strict):
    """Body of a `k8s` step: one typed action on named objects, run through the API client."""

    action: Literal[
        "top-pods",
        "get-pods",
        "describe-pod",
        "describe-node",
        "logs",
        "events",
        "rollout-status",
        "scale",
        "set-env",
        "set-resources",
        "set-config",
        "rollout-restart",
        "rollout-undo",
    ]
    namespace: K8sName
    deployment: K8sName | None = None
    pod: K8sName | None = None
    node: K8sName | None = Field(default=None, description="describe-node: the node's name.")
    configmap: (
        Annotated[str, StringConstraints(pattern=r"^([a-z0-9.-]|\{\{ *[a-z][a-z0-9_]* *\}\})+$")]
        | None
    ) = Field(
        default=None, description="set-config: the ConfigMap (may join {{ param }} and text)."
    )
    data: dict[str, str] | None = Field(default=None, description="set-config: KEY: value.")
    memory_limit: (
        Annotated[
            str, StringConstraints(pattern=r"^(\{\{ *[a-z][a-z0-9_]* *\}\}|[0-9]{1,6}(Mi|Gi))$")
        ]
        | None
    ) = Field(default=None, description="set-resources: new memory limit (512Mi, 3Gi).")
    selector: dict[str, str] | None = Field(default=None, description="Label selector.")
    container: K8sName | None = None
    tail: int | None = Field(default=None, ge=1, le=5000, description="logs: last N lines.")
    replicas: Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{1,3}$")] | None = Field(
        default=None, description='scale: "+2" adds two replicas, "3" sets three.'
    )
    max_replicas: K8sCount | None = Field(
        default=None, description="scale: never go above this (a number or a {{ param }})."
    )
    env: dict[str, str] | None = Field(default=None, description="set-env: NAME: value.")
    revision: (
        Annotated[str, StringConstraints(pattern=r"^(\{\{ *[a-z][a-z0-9_]* *\}\}|[0-9]{1,9})$")]
        | None
    ) = Field(
        default=None,
        description="rollout-undo: the revision to go back to (absent or 0: the previous one).",
    )
    timeout: Duration | None = None


class HttpBody(_Strict):
    """Body of an `http` step; secrets come from the environment, never from the file."""

    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: Annotated[
        str, StringConstraints(pattern=r"^https?://(\{\{ *[a-z][a-z0-9_]* *\}\}|[^\s{}])+$")
    ] = Field(description="http(s) URL; {{ param }} values are percent-encoded at run time.")
    headers: dict[str, str] = {}
    token_env: Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")] | None = Field(
        default=None, description="Env var holding a bearer token sent as Authorization."
    )
    body: str | dict[str, object] | None = None


ARGOCD_READ_ACTIONS = ("history",)
ARGOCD_WRITE_ACTIONS = ("sync", "rollback")


class ArgocdBody(_Strict):
    """Body of an `argocd` step: one action on one Argo CD application, through its REST API."""

    action: Literal["history", "sync", "rollback"] = Field(
        description="history (read-only), sync (to the target revision), rollback (to a "
        "history id)."
    )
    application: K8sName = Field(description="The Argo CD application (may be a {{ param }}).")
    id: (
        Annotated[str, StringConstraints(pattern=r"^(\{\{ *[a-z][a-z0-9_]* *\}\}|[0-9]{1,9})$")]
        | None
    ) = Field(
        default=None,
        description="rollback: the history id to go back to (absent: the deployment before "
        "the current one).",
    )
