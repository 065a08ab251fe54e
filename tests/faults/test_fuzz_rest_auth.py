"""Hostile bodies on every authenticated REST endpoint, over the production servers: the
workspace's with an agent's session (a supervisor, logged in through the real form, CSRF
token sent), the widget's and the uploads' with a shopper's token. Path ids name objects that
exist (the shopper's conversation and message), so the body is read, not refused at the door.

Each writable operation gets whole-body garbage (deep nesting, lone surrogates, NUL, NaN,
invalid JSON, a 3 MB body, the wrong content types) and, for every field its schema names,
that field spoiled (a lone surrogate, deep nesting, a huge number, a wrong type). Every answer
must be below 500 and JSON; every refusal the contract's ``{"code", "detail"}`` (no HTML page,
no empty body), and the servers log no traceback. ``tests/faults/test_hostile_input.py``
sends bodies without credentials (the public door); ``tests/faults/test_fuzz_rest.py`` lets
schemathesis generate valid-looking ones in process."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request

import pytest

from .clients import Shopper, agent_cookie, widget_session
from .stack import Stack, report

pytestmark = [pytest.mark.slow]

DEEP = "[" * 3000 + "]" * 3000
SURROGATE = '"\\ud800"'
WHOLE_BODIES = [
    DEEP,
    '{"a": ' + SURROGATE + "}",
    '{"a": "\\u0000"}',
    "{",
    "[]",
    "null",
    '{"a": NaN}',
    json.dumps({"x": "y" * 3_000_000}),
]
FIELD_VALUES = [SURROGATE, DEEP, "1" + "0" * 400, '{"a": [1, {"b": null}]}', '"a\\u0000b"']
OTHER_TYPES = [("text/plain", "hello"), ("application/x-www-form-urlencoded", "a=%ff%fe")]


def _operations(world: Stack) -> list[tuple[str, str, str, list[str]]]:
    """(method, path template, auth, field names) of every writable operation behind an
    agent's session or a shopper's token."""
    with urllib.request.urlopen(world.bases[0] + "/api/schema/?format=json", timeout=30) as r:
        schema = json.loads(r.read())
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method not in ("post", "put", "patch"):
                continue
            schemes = {name for item in op.get("security", []) for name in item}
            auth = (
                "agent"
                if "cookieAuth" in schemes
                else "shopper"
                if "visitorToken" in schemes
                else ""
            )
            if not auth:
                continue
            fields: list[str] = []
            for content in op.get("requestBody", {}).get("content", {}).values():
                body = content.get("schema", {})
                ref = body.get("$ref", "")
                if ref:
                    body = components.get(ref.rsplit("/", 1)[-1], {})
                fields += list(body.get("properties", {}))
            found.append((method.upper(), path, auth, sorted(set(fields))))
    return found


def _fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(ids.get(m[1], 1)), path)


def _call(url: str, method: str, body: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def _unclear(status: int, content_type: str, raw: bytes) -> str:
    """Why an answer is not a clear JSON answer, or ''."""
    if status >= 500:
        return f"{status}"
    if status == 204 and not raw:
        return ""
    if not content_type.startswith("application/json"):
        return f"{status} {content_type or 'no content type'}"
    try:
        data = json.loads(raw)
    except ValueError:
        return f"{status} not JSON"
    if status >= 400 and not (
        isinstance(data, dict) and data.get("code") and isinstance(data.get("detail"), str)
    ):
        return f"{status} {raw[:80]!r}"
    return ""


def test_hostile_bodies_on_authenticated_endpoints_get_clear_json_errors(world: Stack) -> None:
    tracebacks_before = sum(world.tracebacks().values())
    cookie = agent_cookie(world.bases[0], world.env(), "fuzz-supervisor", supervisor=True)
    csrf = re.search(r"csrftoken=([^;]+)", cookie)
    assert csrf, cookie

    async def shopper() -> tuple[str, int, int]:
        token = await widget_session(world.bases[0])
        client = Shopper(world.bases[:1], token, "fuzz-auth")
        client.start()
        await asyncio.wait_for(client.connected.wait(), 90)
        await client.say("hello, fuzz", wait=True, timeout=60)
        message = next(iter(client.stats.acked.values()))
        await client.stop()
        return token, int(message["conversation"]), int(message["id"])

    token, conversation_id, message_id = asyncio.run(shopper())
    ids = {"conversation_id": conversation_id, "message_id": message_id}
    auth_headers = {
        "agent": {"Cookie": cookie, "X-CSRFToken": csrf[1], "Referer": world.bases[1] + "/"},
        "shopper": {"Authorization": f"Visitor {token}"},
    }
    operations = _operations(world)
    statuses: dict[int, int] = {}
    unclear: list[str] = []
    requests = 0
    for method, template, auth, fields in operations:
        url = world.bases[1] + _fill(template, ids)
        bodies = [("application/json", b) for b in WHOLE_BODIES]
        bodies += [
            ("application/json", "{" + f"{json.dumps(field)}: {value}" + "}")
            for field in fields
            for value in FIELD_VALUES
        ]
        bodies += OTHER_TYPES
        for content_type, body in bodies:
            headers = {**auth_headers[auth], "Content-Type": content_type}
            status, answered_type, raw = _call(url, method, body, headers)
            requests += 1
            statuses[status] = statuses.get(status, 0) + 1
            why = _unclear(status, answered_type, raw)
            if why:
                unclear.append(f"{method} {template} {body[:40]!r}: {why}")
    tracebacks = sum(world.tracebacks().values()) - tracebacks_before
    report(
        "hostile authenticated REST",
        operations=len(operations),
        by_auth={a: sum(1 for o in operations if o[2] == a) for a in ("agent", "shopper")},
        requests=requests,
        statuses=dict(sorted(statuses.items())),
        unclear=len(unclear),
        tracebacks=tracebacks,
    )
    # Authentication worked: the bodies reached the views (401/403 everywhere would prove
    # nothing).
    assert statuses.get(400, 0) > requests // 3, statuses
    assert not unclear, unclear[:20]
    assert tracebacks == 0, [p.log()[-3000:] for p in world.servers]
