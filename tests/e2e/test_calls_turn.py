"""A call through a real TURN server: coturn (Debian's ``coturn`` package) on loopback with
the desk's REST-scheme secret, the desk handing each browser a time-limited credential
(chat/calls/ice.py), and the desk relay-only (``CALL_RELAY_ONLY``, for shops that must hide
shoppers' IPs): it tells both browsers ``iceTransportPolicy: "relay"``, so the call can only
connect through coturn's relays, ``getStats`` shows the pair in use is relay to relay, and
neither page ever holds a candidate with an address of the other's own. Skipped, saying so,
where the ``turnserver`` binary is absent."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation
from tests.e2e.support import (
    desk_login,
    desk_view,
    grows,
    new_page,
    off_loop,
    pane,
    row,
    wait_db,
    widget_open,
    widget_send,
)
from tests.factories import make_agent
from tests.procs import daphne, free_port, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TURNSERVER = shutil.which("turnserver") or (
    "/usr/bin/turnserver" if Path("/usr/bin/turnserver").exists() else None
)
SECRET = "turn-test-secret"

# Every RTCPeerConnection the page makes is kept, as the page configured it, for the test to
# read its getStats, with every remote candidate it was given.
RECORD = """
(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.__remote = [];
  function Recorded(config, ...rest) {
    const pc = new Native(config, ...rest);
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = (candidate, ...more) => {
      if (candidate && candidate.candidate) window.__remote.push(candidate.candidate);
      return add(candidate, ...more);
    };
    window.__pcs.push(pc);
    return pc;
  }
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.RTCPeerConnection = Recorded;
})();
"""

# The selected candidate pair of the page's last peer connection: both candidates' types,
# the ICE servers it was given, and the bytes it carried.
PAIR = """async () => {
  const pc = window.__pcs[window.__pcs.length - 1];
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
  });
  if (!pair) stats.forEach((s) => { if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pair = s; });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    policy: pc.getConfiguration().iceTransportPolicy,
    servers: pc.getConfiguration().iceServers.map((s) => [].concat(s.urls)),
    username: (pc.getConfiguration().iceServers.find((s) => s.username) || {}).username || "",
    local: local.candidateType, remote: remote.candidateType,
    relayProtocol: local.relayProtocol || "",
    bytes: pair.bytesSent + pair.bytesReceived,
  };
}"""


@pytest.fixture
def turnserver(tmp_path: Path) -> Iterator[str]:
    """coturn on 127.0.0.1 with the desk's static-auth-secret; yields its ``turn:`` URL."""
    if TURNSERVER is None:
        pytest.skip("coturn is not installed (apt-get install coturn): no turnserver binary")
    port = free_port()
    low = 49_152 + (port % 1000) * 10
    log = tmp_path / "turn.log"
    argv = [
        TURNSERVER,
        "-n",  # no configuration file
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        f"--min-port={low}",
        f"--max-port={low + 9}",
        "--use-auth-secret",
        f"--static-auth-secret={SECRET}",
        "--realm=helpdesk.test",
        "--fingerprint",
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--allow-loopback-peers",  # both browsers' relays are on 127.0.0.1
        f"--log-file={log}",
        "--simple-log",
        "--verbose",
        "--pidfile=" + str(tmp_path / "turn.pid"),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"turnserver exited ({proc.returncode}): {log.read_text()[-2000:]}")
            if log.exists() and "Total General servers" in log.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail(
                "turnserver did not start: " + (log.read_text()[-2000:] if log.exists() else "")
            )
        yield f"turn:127.0.0.1:{port}?transport=udp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    turn_log = log.read_text() if log.exists() else ""
    # Both browsers authenticated with the desk's time-limited credentials (an unauthenticated
    # first request, then the REST-scheme username) and were given relays and permissions.
    for who in ("agent", "visitor"):
        allocated = re.search(
            rf"user <\d+:{who}-\d+>: incoming packet ALLOCATE processed, success", turn_log
        )
        assert allocated, turn_log[-3000:]
    assert "CREATE_PERMISSION processed, success" in turn_log, turn_log[-3000:]


def test_a_relay_only_desk_connects_calls_through_coturn_with_relay_candidates_only(
    media_browser: Any,
    people: list[Any],
    turnserver: str,
) -> None:
    make_agent("ana", name="Ana")
    env = {
        **server_env(connection.settings_dict["NAME"]),
        "CALL_TURN_URLS": turnserver,
        "CALL_TURN_SECRET": SECRET,
        "CALL_TURN_TTL_SECONDS": "600",
        "CALL_RELAY_ONLY": "1",
    }
    connection.close()
    with daphne(env) as base:
        agent = desk_login(media_browser, people, base, "ana", init_script=RECORD)
        desk_view(agent, "all")
        shopper = new_page(media_browser, people)
        shopper.context.add_init_script(RECORD)
        shopper.goto(base + "/")
        widget_open(shopper)
        widget_send(shopper, "Can you call me?")
        wait_db(lambda: Conversation.objects.exists(), timeout=30)
        conversation = off_loop(lambda: Conversation.objects.get())
        row(agent, conversation.pk).click()
        expect(pane(agent, conversation.pk).locator(".dk-msg-visitor")).to_have_count(1)

        pane(agent, conversation.pk).locator('[data-testid="dk-call-audio"]').click()
        widget_call = shopper.locator('[data-testid="hd-call"]')
        expect(widget_call).to_have_attribute("data-state", "ringing", timeout=20_000)
        shopper.locator('[data-testid="hd-call-accept"]').click()
        desk_call = agent.locator('[data-testid="dk-call"]')
        expect(desk_call).to_have_attribute("data-state", "connected", timeout=30_000)
        expect(widget_call).to_have_attribute("data-state", "connected", timeout=30_000)
        grows(agent, '[data-testid="dk-call"]')
        grows(shopper, '[data-testid="hd-call"]')

        for page, who in ((agent, "agent"), (shopper, "visitor")):
            pair = page.evaluate(PAIR)
            assert pair is not None, who
            assert pair["policy"] == "relay"
            assert pair["servers"] == [[turnserver]]
            # The REST scheme's username: expiry, then who (the secret never reaches a page).
            assert pair["username"].split(":", 1)[1].startswith(who + "-"), pair
            assert (pair["local"], pair["remote"]) == ("relay", "relay"), pair
            assert pair["relayProtocol"] == "udp" and pair["bytes"] > 0, pair
            assert SECRET not in page.content()
            # Only relay addresses (coturn's) ever reached the page: never the other side's.
            remote = page.evaluate("() => window.__remote")
            assert remote and all(" typ relay " in line for line in remote), remote
        agent.locator('[data-testid="dk-call-hangup"]').click()
        expect(widget_call).to_have_attribute("data-state", "ended")
        assert agent.js_errors == [] and shopper.js_errors == []  # type: ignore[attr-defined]
