"""The PagerDuty fake's loopback certificate is made by a child process: the process that
serves the fake never loads `cryptography`, and a verifying client still trusts it."""

from __future__ import annotations

import json

from cleanpy import run_clean

CODE = """
import http.client, json, stat, sys
from cockpit.sim.pagerduty_fake import PagerDutyFake
fake = PagerDutyFake()
fake.start()
try:
    host, port = fake.url.split("//")[1].split(":")
    conn = http.client.HTTPSConnection(host, int(port), context=fake.client_ssl_context())
    conn.request("GET", "/services", headers={"Authorization": "Token token=fake-pd-token"})
    status = conn.getresponse().status
finally:
    fake.stop()
mode = stat.S_IMODE(fake.tls.key_file.stat().st_mode)
print(json.dumps({"status": status, "mode": mode,
                  "loaded": sorted(m for m in sys.modules if m.startswith("cryptography"))}))
"""


def test_the_fake_speaks_verified_tls_without_loading_cryptography() -> None:
    stdout = run_clean(CODE, timeout=120)
    found = json.loads(stdout)
    assert found == {"status": 200, "mode": 0o600, "loaded": []}
