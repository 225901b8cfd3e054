"""In-memory cluster state behind the Kubernetes fake: deployments own pods, changes emit events."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cockpit.clock import Clock, SystemClock
from cockpit.sim import k8s_extra
from cockpit.sim import k8s_objects as obj
from cockpit.sim import k8s_pods as pods
from cockpit.sim.httpfake import ApiError
from cockpit.sim.k8s_pods import EventSpec, PodSpec, stable_uid
from cockpit.sim.k8s_seed import SEED_DEPLOYMENTS, DeploymentSeed
from cockpit.sim.k8s_select import field_selector, label_selector

MAX_EVENTS = 500


@dataclass(slots=True)
class Workload:
    """Per-deployment simulation knobs that are not part of the Kubernetes object."""

    log_lines: list[str]
    cpu_m: int
    memory_mi: int
    restarts: int = 0
    waiting_reason: str | None = None
    pod_serial: int = 0
    rs_hashes: list[str] = field(default_factory=list)


class Cluster:
    """Thread-safe store of deployments, pods and events; hold `lock` while touching them."""

    def __init__(
        self,
        *,
        namespace: str = "kyc",
        clock: Clock | None = None,
        seeds: Iterable[DeploymentSeed] = SEED_DEPLOYMENTS,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock or SystemClock()
        self._rv = 1000
        self.deployments: dict[tuple[str, str], Any] = {}
        self.pods: dict[tuple[str, str], Any] = {}
        self.events: list[Any] = []
        self.workloads: dict[tuple[str, str], Workload] = {}
        self.replicasets: dict[tuple[str, str], Any] = {}
        self.configmaps: dict[tuple[str, str], Any] = {}
        self.on_rollout: Callable[[str, str, Any], None] | None = None
        """Called (namespace, name, pod template) when a deployment rolls out a template it
        was not running (the demo's story reacts to a rollback)."""
        self.nodes: dict[str, Any] = k8s_extra.nodes(self.now())
        for seed in seeds:
            self.add_deployment(seed, namespace)

    def now(self) -> str:
        """Current time in the API's second-precision RFC 3339 form."""
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def next_rv(self) -> int:
        """Bump and return the cluster-wide resourceVersion."""
        with self.lock:
            self._rv += 1
            return self._rv

    @property
    def resource_version(self) -> int:
        """The latest resourceVersion handed out."""
        return self._rv

    def emit(self, spec: EventSpec) -> None:
        """Record a core/v1 Event (the newest MAX_EVENTS are kept)."""
        with self.lock:
            self.events.append(pods.event(spec, self.next_rv(), self.now()))
            del self.events[:-MAX_EVENTS]

    def add_deployment(self, seed: DeploymentSeed, namespace: str) -> None:
        """Create a deployment and its pods."""
        with self.lock:
            key = (namespace, seed.name)
            uid = stable_uid("deploy", *key)
            dep = obj.deployment(seed, namespace, uid, self.next_rv(), self.now())
            self.deployments[key] = dep
            self.workloads[key] = Workload(list(seed.log_lines), seed.cpu_m, seed.memory_mi)
            config = k8s_extra.configmap(namespace, seed.name, self.now())
            self.configmaps[(namespace, config["metadata"]["name"])] = config
            if seed.previous_image is not None:
                # An earlier release, scaled to zero, kept for `rollout undo`.
                old = copy.deepcopy(dep["spec"]["template"])
                old["spec"]["containers"][0]["image"] = seed.previous_image
                self._record_rs(dep, old, obj.short_hash(old), 1)
                dep["metadata"]["annotations"][obj.REVISION] = "2"
            self.reconcile(namespace, seed.name)

    def workload(self, namespace: str, name: str) -> tuple[Any, Workload]:
        """A deployment and its knobs, or the API's 404."""
        key = (namespace, name)
        if key not in self.deployments:
            details = {"name": name, "kind": "deployments", "group": "apps"}
            raise ApiError(404, f'deployments.apps "{name}" not found', details=details)
        return self.deployments[key], self.workloads[key]

    def reconcile(self, namespace: str, name: str) -> None:
        """Make the pods match the deployment: replica count, and the template (a rollout)."""
        with self.lock:
            dep, work = self.workload(namespace, name)
            tpl_hash = obj.short_hash(dep["spec"]["template"])
            owned = self.select_pods(namespace, f"app={name}")
            current = [p for p in owned if p["metadata"]["labels"]["pod-template-hash"] == tpl_hash]
            stale = [p for p in owned if p not in current]
            want = dep["spec"]["replicas"]
            rolled = bool(work.rs_hashes) and work.rs_hashes[-1] != tpl_hash
            if tpl_hash not in work.rs_hashes:
                work.rs_hashes.append(tpl_hash)
                # A new template is a rollout: its pods start clean.
                work.restarts, work.waiting_reason = 0, None
            elif rolled:
                work.rs_hashes.remove(tpl_hash)
                work.rs_hashes.append(tpl_hash)
            if rolled and self.on_rollout is not None:
                self.on_rollout(namespace, name, dep["spec"]["template"])
            revision = int(dep["metadata"].get("annotations", {}).get(obj.REVISION, "1"))
            self._record_rs(dep, dep["spec"]["template"], tpl_hash, revision, want)
            if len(current) != want:
                verb = "up" if want > len(current) else "down"
                self._scaled(
                    namespace, name, f"{verb} replica set {name}-{tpl_hash}", len(current), want
                )
            for pod in stale + current[want:]:
                self._delete_pod(pod)
            if stale:
                old = stale[0]["metadata"]["labels"]["pod-template-hash"]
                self._scaled(namespace, name, f"down replica set {name}-{old}", len(stale), 0)
            current = current[:want]
            while len(current) < want:
                current.append(self._new_pod(dep, work, tpl_hash))
            ready = sum(1 for p in current if pods.is_ready(p))
            dep["status"] = {
                "observedGeneration": dep["metadata"]["generation"],
                "replicas": want,
                "updatedReplicas": want,
                "readyReplicas": ready,
                "availableReplicas": ready,
            }

    def _record_rs(
        self, dep: Any, template: Any, tpl_hash: str, revision: int, replicas: int = 0
    ) -> None:
        """Create or update the ReplicaSet of `template`; the others are scaled to zero."""
        md = dep["metadata"]
        ns, name = md["namespace"], md["name"]
        key = (ns, f"{name}-{tpl_hash}")
        rs = self.replicasets.get(key)
        if rs is None:
            uid = stable_uid("rs", ns, name, tpl_hash)
            rs = obj.replicaset(dep, template, tpl_hash, uid, self.next_rv(), self.now())
            self.replicasets[key] = rs
        # A template used again (a rollback) takes the new revision, as the controller does.
        rs["metadata"]["annotations"][obj.REVISION] = str(revision)
        for other in self.replicasets.values():
            owner = other["metadata"]["ownerReferences"][0]
            if other["metadata"]["namespace"] == ns and owner["uid"] == md["uid"]:
                count = replicas if other is rs else 0
                other["spec"]["replicas"] = other["status"]["replicas"] = count

    def _scaled(self, namespace: str, name: str, what: str, old: int, new: int) -> None:
        message = f"Scaled {what} from {old} to {new}"
        self.emit(EventSpec(namespace, "Deployment", name, "ScalingReplicaSet", message))

    def _delete_pod(self, pod: Any) -> None:
        md = pod["metadata"]
        self.pods.pop((md["namespace"], md["name"]), None)
        message = f"Stopping container {pod['spec']['containers'][0]['name']}"
        self.emit(EventSpec(md["namespace"], "Pod", md["name"], "Killing", message))

    def _new_pod(self, dep: Any, work: Workload, tpl_hash: str) -> Any:
        namespace, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        work.pod_serial += 1
        suffix = obj.short_hash([name, tpl_hash, work.pod_serial], 5)
        spec = PodSpec(
            f"{name}-{tpl_hash}-{suffix}", tpl_hash, work.pod_serial, self.next_rv(), self.now()
        )
        pod = pods.pod(dep, spec)
        if work.waiting_reason:
            pods.set_waiting(pod, work.restarts, work.waiting_reason)
        self.pods[(namespace, spec.name)] = pod
        message = f"Started container {pod['spec']['containers'][0]['name']}"
        self.emit(EventSpec(namespace, "Pod", spec.name, "Started", message))
        return pod

    # -- simulation knobs (for `cockpit demo` scenarios and tests) ------------------------
    def set_crashloop(
        self, namespace: str, name: str, restarts: int, reason: str = "CrashLoopBackOff"
    ) -> None:
        """Make the deployment's pods restart-loop until its next rollout."""
        with self.lock:
            dep, work = self.workload(namespace, name)
            work.restarts, work.waiting_reason = restarts, reason
            for pod in self.select_pods(namespace, f"app={name}"):
                pods.set_waiting(pod, restarts, reason)
                message = "Back-off restarting failed container"
                pod_name = pod["metadata"]["name"]
                self.emit(EventSpec(namespace, "Pod", pod_name, "BackOff", message, "Warning"))
            dep["status"].update(readyReplicas=0, availableReplicas=0)

    def set_usage(self, namespace: str, name: str, cpu_m: int, memory_mi: int) -> None:
        """Set the CPU (millicores) and memory (MiB) each pod of a deployment reports."""
        with self.lock:
            _, work = self.workload(namespace, name)
            work.cpu_m, work.memory_mi = cpu_m, memory_mi

    def add_log_lines(self, namespace: str, name: str, lines: Iterable[str]) -> None:
        """Append log lines that every pod of the deployment will show."""
        with self.lock:
            _, work = self.workload(namespace, name)
            work.log_lines.extend(lines)

    def select_pods(
        self, namespace: str, selector: str | None, fields: str | None = None
    ) -> list[Any]:
        """Pods of a namespace matching label and field selectors, sorted by name."""
        labels, match = label_selector(selector), field_selector(fields)
        with self.lock:
            return [
                p
                for (ns, _), p in sorted(self.pods.items())
                if ns == namespace and labels(p["metadata"].get("labels", {})) and match(p)
            ]
