"""The Kubernetes fake, driven through the real `kubernetes` client package."""

from __future__ import annotations

import http.client
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import urllib3
from kubernetes import client as k8s

from cockpit.sim.k8s_fake import K8sFake, make_k8s_client
from cockpit.sim.k8s_patch import PatchError, json_patch, merge_patch, strategic_merge_patch

NS = "kyc"


def pod_names(api: Any, app: str) -> list[str]:
    pods = k8s.CoreV1Api(api).list_namespaced_pod(NS, label_selector=f"app={app}")
    return [p.metadata.name for p in pods.items]


def env_of(dep: Any) -> dict[str, str]:
    return {e.name: e.value for e in dep.spec.template.spec.containers[0].env}


def test_discovery_and_version(k8s_api: Any) -> None:
    assert k8s.VersionApi(k8s_api).get_code().major == "1"
    groups = {g.name for g in k8s.ApisApi(k8s_api).get_api_versions().groups}
    assert {"apps", "metrics.k8s.io"} <= groups


def test_list_pods_by_label_selector(k8s_api: Any) -> None:
    pods = k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS, label_selector="app=ocr-svc")
    assert len(pods.items) == 2
    assert all(p.metadata.labels["app"] == "ocr-svc" for p in pods.items)
    assert all(p.status.phase == "Running" for p in pods.items)
    everything = k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS)
    assert len(everything.items) == 15
    assert pod_names(k8s_api, "no-such-app") == []


def test_pod_log_tail_and_bad_container(k8s_api: Any) -> None:
    core = k8s.CoreV1Api(k8s_api)
    name = pod_names(k8s_api, "ocr-svc")[0]
    text = core.read_namespaced_pod_log(name, NS, tail_lines=2, container="ocr-svc")
    lines = text.splitlines()
    assert len(lines) == 2
    assert json.loads(lines[-1])["service"] == "ocr-svc"
    with pytest.raises(k8s.ApiException) as err:
        core.read_namespaced_pod_log(name, NS, container="sidecar")
    assert err.value.status == 400


def test_events_with_field_selector(k8s_api: Any) -> None:
    core = k8s.CoreV1Api(k8s_api)
    events = core.list_namespaced_event(NS, field_selector="involvedObject.name=ocr-svc")
    assert events.items, "seeding a deployment records a ScalingReplicaSet event"
    assert {e.reason for e in events.items} == {"ScalingReplicaSet"}
    assert all(e.involved_object.name == "ocr-svc" for e in events.items)


def test_scale_up_by_two_via_scale_subresource(k8s_api: Any, k8s_fake: K8sFake) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    current = apps.read_namespaced_deployment_scale("ocr-svc", NS).spec.replicas
    scaled = apps.patch_namespaced_deployment_scale(
        "ocr-svc", NS, {"spec": {"replicas": current + 2}}
    )
    assert scaled.spec.replicas == current + 2
    assert len(pod_names(k8s_api, "ocr-svc")) == current + 2
    assert apps.read_namespaced_deployment("ocr-svc", NS).status.ready_replicas == current + 2
    patch = [r for r in k8s_fake.requests if r.method == "PATCH"][-1]
    assert patch.path.endswith("/deployments/ocr-svc/scale")
    assert patch.headers["content-type"] == "application/strategic-merge-patch+json"
    assert patch.headers["authorization"] == "<redacted>"


def test_set_env_by_strategic_merge_patch_rolls_pods(k8s_api: Any) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    before = pod_names(k8s_api, "kyc-svc")
    body = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "kyc-svc",
                            "env": [
                                {"name": "OCR_PRIMARY", "value": "fallback_commercial"},
                                {"name": "OCR_FALLBACK_ENABLED", "value": "true"},
                            ],
                        },
                    ]
                }
            }
        }
    }
    dep = apps.patch_namespaced_deployment("kyc-svc", NS, body)
    assert env_of(dep) == {"OCR_PRIMARY": "fallback_commercial", "OCR_FALLBACK_ENABLED": "true"}
    assert dep.spec.template.spec.containers[0].image.startswith("registry.local/kyc-svc")
    after = pod_names(k8s_api, "kyc-svc")
    assert len(after) == len(before) and not set(after) & set(before)


def test_rollout_restart_replaces_pods(k8s_api: Any, k8s_fake: K8sFake) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    k8s_fake.cluster.set_crashloop(NS, "ocr-svc", restarts=7)
    before = k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS, label_selector="app=ocr-svc").items
    assert {p.status.container_statuses[0].restart_count for p in before} == {7}
    stamp = "2025-03-12T14:31:00Z"
    body = {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}
        }
    }
    dep = apps.patch_namespaced_deployment("ocr-svc", NS, body)
    assert dep.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] == stamp
    # ocr-svc is seeded with an earlier release (revision 1): the restart makes revision 3.
    assert dep.metadata.annotations["deployment.kubernetes.io/revision"] == "3"
    after = k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS, label_selector="app=ocr-svc").items
    assert len(after) == len(before)
    assert not {p.metadata.name for p in after} & {p.metadata.name for p in before}
    assert all(p.status.container_statuses[0].ready for p in after)


def test_server_side_dry_run_changes_nothing(k8s_api: Any, k8s_fake: K8sFake) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    original = apps.read_namespaced_deployment("aml-svc", NS)
    pods = pod_names(k8s_api, "aml-svc")
    would = apps.patch_namespaced_deployment_scale(
        "aml-svc", NS, {"spec": {"replicas": 9}}, dry_run="All"
    )
    assert would.spec.replicas == 9
    env_patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "aml-svc", "env": [{"name": "X", "value": "1"}]}]}
            }
        }
    }
    assert env_of(apps.patch_namespaced_deployment("aml-svc", NS, env_patch, dry_run="All")) == {
        "X": "1"
    }
    now = apps.read_namespaced_deployment("aml-svc", NS)
    assert now.spec.replicas == original.spec.replicas
    assert now.metadata.resource_version == original.metadata.resource_version
    assert now.spec.template.spec.containers[0].env == []
    assert pod_names(k8s_api, "aml-svc") == pods
    assert any(r.query.get("dryRun") == ["All"] for r in k8s_fake.requests)


def test_metrics_top_pods(k8s_api: Any) -> None:
    metrics = k8s.CustomObjectsApi(k8s_api).list_namespaced_custom_object(
        "metrics.k8s.io", "v1beta1", NS, "pods"
    )
    assert metrics["kind"] == "PodMetricsList" and len(metrics["items"]) == 15

    def cpu(item: Any) -> int:
        return int(item["containers"][0]["usage"]["cpu"].removesuffix("m"))

    top = sorted(metrics["items"], key=cpu, reverse=True)
    assert top[0]["metadata"]["labels"]["app"] == "ocr-svc"
    assert top[0]["containers"][0]["usage"]["memory"].endswith("Ki")


def test_json_and_merge_patch_flavours(k8s_api: Any) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    assert apps.patch_namespaced_deployment("tcr-svc", NS, ops).spec.replicas == 3
    merged = apps.patch_namespaced_deployment(
        "tcr-svc",
        NS,
        {"metadata": {"labels": {"team": "docs"}}},
        _content_type="application/merge-patch+json",
    )
    assert merged.metadata.labels["team"] == "docs"
    assert len(pod_names(k8s_api, "tcr-svc")) == 3


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Bad_Name", {"spec": {"replicas": 1}}),
        ("ocr-svc", {"spec": {"replicas": -1}}),
        (
            "ocr-svc",
            {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "ocr-svc", "env": [{"name": "1 bad", "value": "x"}]}
                            ]
                        }
                    }
                }
            },
        ),
    ],
)
def test_invalid_writes_are_422(k8s_api: Any, name: str, body: Any) -> None:
    with pytest.raises(k8s.ApiException) as err:
        k8s.AppsV1Api(k8s_api).patch_namespaced_deployment(name, NS, body)
    assert err.value.status == 422
    assert json.loads(err.value.body)["reason"] == "Invalid"


def test_not_found_and_conflict(k8s_api: Any) -> None:
    apps = k8s.AppsV1Api(k8s_api)
    with pytest.raises(k8s.ApiException) as err:
        apps.read_namespaced_deployment("ghost", NS)
    assert err.value.status == 404
    assert json.loads(err.value.body)["kind"] == "Status"
    stale = apps.read_namespaced_deployment_scale("ocr-svc", NS)
    apps.patch_namespaced_deployment_scale("ocr-svc", NS, {"spec": {"replicas": 5}})
    stale.spec.replicas = 1
    with pytest.raises(k8s.ApiException) as err:
        apps.replace_namespaced_deployment_scale("ocr-svc", NS, stale)
    assert err.value.status == 409
    assert apps.read_namespaced_deployment_scale("ocr-svc", NS).spec.replicas == 5


def test_wrong_token_is_401(k8s_fake: K8sFake) -> None:
    api = make_k8s_client(k8s_fake.url, token="wrong", timeout=2)
    with pytest.raises(k8s.ApiException) as err:
        k8s.CoreV1Api(api).list_namespaced_pod(NS)
    assert err.value.status == 401


@pytest.mark.parametrize("status", [401, 403, 410, 500])
def test_injected_faults_surface_as_api_exception(
    k8s_api: Any, k8s_fake: K8sFake, status: int
) -> None:
    k8s_fake.set_fault(r"/pods$", status=status, times=1)
    with pytest.raises(k8s.ApiException) as err:
        k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS)
    assert err.value.status == status
    assert json.loads(err.value.body)["code"] == status
    assert len(pod_names(k8s_api, "ocr-svc")) == 2, "times=1: the next call succeeds"


def wait_for_requests(fake: K8sFake, path: str, settle_s: float) -> int:
    time.sleep(settle_s)
    return sum(1 for r in fake.requests if r.path.endswith(path))


def test_request_timeout_is_honoured_without_hidden_retries(
    k8s_api: Any, k8s_fake: K8sFake
) -> None:
    k8s_fake.set_fault(r"/pods$", delay_s=0.6)
    started = time.monotonic()
    with pytest.raises(urllib3.exceptions.HTTPError):
        k8s.CoreV1Api(k8s_api).list_namespaced_pod(NS, _request_timeout=0.2)
    assert time.monotonic() - started < 0.5
    assert wait_for_requests(k8s_fake, "/pods", 0.8) == 1


def test_default_deadline_of_make_k8s_client(k8s_fake: K8sFake) -> None:
    api = make_k8s_client(k8s_fake.url, token=k8s_fake.token, timeout=0.2)
    k8s_fake.set_fault(r"/deployments$", delay_s=0.6)
    started = time.monotonic()
    with pytest.raises(urllib3.exceptions.HTTPError):
        k8s.AppsV1Api(api).list_namespaced_deployment(NS)
    assert time.monotonic() - started < 0.5


def test_stock_client_retries_a_timed_out_read_three_times(k8s_fake: K8sFake) -> None:
    config = k8s.Configuration(host=k8s_fake.url)
    config.api_key = {"BearerToken": k8s_fake.token}
    config.api_key_prefix = {"BearerToken": "Bearer"}
    k8s_fake.set_fault(r"/pods$", delay_s=0.5)
    with pytest.raises(urllib3.exceptions.HTTPError):
        k8s.CoreV1Api(k8s.ApiClient(config)).list_namespaced_pod(NS, _request_timeout=0.15)
    assert wait_for_requests(k8s_fake, "/pods", 0.7) == 4


def raw(fake: K8sFake, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    headers = {"Authorization": f"Bearer {fake.token}", **headers}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    payload = json.loads(response.read())
    conn.close()
    return response.status, payload


def test_robust_against_bad_requests(k8s_fake: K8sFake, k8s_api: Any) -> None:
    status, body = raw(k8s_fake, "GET", "/api/v1/nowhere")
    assert (status, body["reason"]) == (404, "NotFound")
    deploy = "/apis/apps/v1/namespaces/kyc/deployments/ocr-svc"
    ctype = "application/strategic-merge-patch+json"
    status, body = raw(k8s_fake, "PATCH", deploy, b"{not json", **{"Content-Type": ctype})
    assert (status, body["kind"]) == (400, "Status")
    status, body = raw(k8s_fake, "PATCH", deploy, b"{}", **{"Content-Type": "text/plain"})
    assert status == 415
    status, body = raw(k8s_fake, "DELETE", deploy)
    assert status == 405
    status, body = raw(k8s_fake, "GET", "/api/v1/namespaces/kyc/pods?labelSelector=a%3D%3D%3Db")
    assert status == 400
    with socket.create_connection(("127.0.0.1", k8s_fake.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 garbage that is not HTTP\r\n\r\n")
        assert b"400" in sock.recv(4096), "a malformed request line gets a 400"
    assert len(pod_names(k8s_api, "ocr-svc")) == 2, "the server still answers"


def test_patch_helpers() -> None:
    doc = {"a": {"b": 1, "c": [1, 2]}, "containers": [{"name": "x", "image": "i"}]}
    assert merge_patch(doc, {"a": {"b": None}})["a"] == {"c": [1, 2]}
    smp = strategic_merge_patch(
        doc, {"containers": [{"name": "y", "image": "j"}, {"name": "x", "$patch": "delete"}]}
    )
    assert smp["containers"] == [{"name": "y", "image": "j"}]
    patched = json_patch(
        doc,
        [{"op": "add", "path": "/a/c/-", "value": 3}, {"op": "test", "path": "/a/b", "value": 1}],
    )
    assert patched["a"]["c"] == [1, 2, 3] and doc["a"]["c"] == [1, 2]
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])


def test_concurrent_clients_never_see_a_500(k8s_api: Any, k8s_fake: K8sFake) -> None:
    apps, core = k8s.AppsV1Api(k8s_api), k8s.CoreV1Api(k8s_api)

    def worker(n: int) -> None:
        for i in range(10):
            apps.patch_namespaced_deployment_scale(
                "kyc-consumer", NS, {"spec": {"replicas": 1 + (n + i) % 4}}
            )
            core.list_namespaced_pod(NS, label_selector="app=kyc-consumer")
            core.list_namespaced_event(NS)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))
    assert all(r.status < 500 for r in k8s_fake.requests)
    final = apps.read_namespaced_deployment_scale("kyc-consumer", NS).spec.replicas
    assert len(pod_names(k8s_api, "kyc-consumer")) == final
