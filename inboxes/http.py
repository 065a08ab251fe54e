"""One HTTP session per process for the providers' APIs (the shop's webhook, WhatsApp's
Graph API, WeChat's API): connections are kept and reused across sends and threads.

- **One pool.** wechatpy makes a ``requests.Session`` per client, and the desk made a
  client per send: a new connection (TCP, and TLS to WeChat) for every message. Its clients
  use this session instead.
- **Environment read once.** With ``trust_env`` requests reads the proxy variables (walking
  the whole environment) and ``.netrc`` on every request: a tenth of a send's CPU. Here the
  proxies (``HTTPS_PROXY``, ``NO_PROXY`` …) and the CA bundle (``REQUESTS_CA_BUNDLE``,
  ``CURL_CA_BUNDLE``) are read when the session is made; with a proxy configured the
  session keeps requests' own per-request handling, so ``NO_PROXY`` works as before. A
  ``.netrc`` is never used: its passwords must not go to a shop's webhook.
"""

from __future__ import annotations

import os
import threading
import urllib.request

import requests

_local = threading.Lock()
_session: requests.Session | None = None


def _make() -> requests.Session:
    session = requests.Session()
    if not urllib.request.getproxies():
        session.trust_env = False
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    return session


def provider_session() -> requests.Session:
    """The process's session (made on first use; a forked worker makes its own)."""
    global _session
    if _session is None:
        with _local:
            if _session is None:
                _session = _make()
    return _session
