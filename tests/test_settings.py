"""Settings: the embedded default without environment, production with DATABASE_URL and
REDIS_URL. Each case runs in a fresh interpreter, since settings are read once at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.procs import ROOT, base_env

PROBE = r"""
import json
from django.conf import settings

db = settings.DATABASES["default"]
layer = settings.CHANNEL_LAYERS["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": db["NAME"],
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "options": db.get("OPTIONS", {}),
    "layer": layer["BACKEND"],
    "layer_config": layer.get("CONFIG"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "rate": settings.HELPDESK["RATE_PER_SECOND"],
    "burst": settings.HELPDESK["RATE_BURST"],
    "db_threads": settings.HELPDESK["DB_THREADS"],
    "databases": sorted(settings.DATABASES),
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", None),
    "session_cookie_secure": getattr(settings, "SESSION_COOKIE_SECURE", None),
}))
"""

PRODUCTION = {
    "DATABASE_URL": "postgresql://desk:s%40cret@db.internal:6543/deskdb",
    "REDIS_URL": "redis://cache.internal:6380/2",
    "SECRET_KEY": "k" * 64,
    "STOREFRONT_IDENTITY_SECRET": "shop-secret",
}


def probe(extra: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base_env(), **extra},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_is_the_embedded_default() -> None:
    conf = probe({})
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["layer"] == "channels.layers.InMemoryChannelLayer"
    assert conf["cache"].endswith("LocMemCache")
    assert conf["celery_eager"] is True
    assert conf["broker"] == "memory://localhost/"
    assert conf["debug"] is True
    assert conf["db_threads"] == 0  # SQLite: one writer thread


def test_production_uses_postgres_pool_redis_pubsub_and_celery_broker() -> None:
    conf = probe(PRODUCTION)
    assert conf["engine"] == "helpdesk.postgresql"  # Django's, with a busy pool told apart
    assert conf["name"] == "deskdb"
    # Django's psycopg 3 pool; persistent connections would leak under ASGI.
    assert conf["options"]["pool"]["max_size"] >= 10
    assert conf["conn_max_age"] == 0
    # The same statements run for every message: prepared server-side from their fifth run.
    assert conf["options"]["server_side_binding"] is True
    assert conf["options"]["prepare_threshold"] == 5
    assert conf["layer"] == "helpdesk.redis_layer.DeskPubSubChannelLayer"
    host = conf["layer_config"]["hosts"][0]
    assert host["address"] == PRODUCTION["REDIS_URL"]
    assert "socket_timeout" in host and host["socket_timeout"] is None
    assert conf["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert conf["broker"] == PRODUCTION["REDIS_URL"]
    assert conf["celery_eager"] is False
    # The sockets' database calls on threads are opt-in (helpdesk/db_threads.py).
    assert conf["db_threads"] == 8  # on by default in production (docs/deployment.md)
    assert conf["databases"] == ["default"]
    assert conf["debug"] is False
    assert conf["ssl_redirect"] is True
    assert conf["session_cookie_secure"] is True


def test_core_layer_is_selectable_and_keeps_sockets_open() -> None:
    conf = probe({**PRODUCTION, "CHANNEL_LAYER_BACKEND": "channels_redis.core.RedisChannelLayer"})
    assert conf["layer"] == "channels_redis.core.RedisChannelLayer"
    assert conf["layer_config"]["hosts"][0]["socket_timeout"] is None


def test_pool_size_and_rate_limit_come_from_the_environment() -> None:
    conf = probe(
        {
            **PRODUCTION,
            "DB_POOL_MAX": "7",
            "HELPDESK_RATE_PER_SECOND": "250",
            "HELPDESK_RATE_BURST": "500",
            "HELPDESK_DB_THREADS": "3",
        }
    )
    assert conf["options"]["pool"]["max_size"] == 7
    assert conf["db_threads"] == 3
    assert conf["rate"] == 250.0
    assert conf["burst"] == 500


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler() -> None:
    conf = probe({**PRODUCTION, "DB_PREPARED_STATEMENTS": "0"})
    assert "server_side_binding" not in conf["options"]
    assert "prepare_threshold" not in conf["options"]


def test_jit_is_off_unless_asked_for() -> None:
    assert probe(PRODUCTION)["options"]["options"] == "-c jit=off"
    assert "options" not in probe({**PRODUCTION, "DB_JIT": "1"})["options"]
    url = PRODUCTION["DATABASE_URL"] + "?options=-c%20statement_timeout%3D5000"
    assert probe({**PRODUCTION, "DATABASE_URL": url})["options"]["options"] == (
        "-c statement_timeout=5000 -c jit=off"
    )


@pytest.mark.django_db
def test_the_desks_connections_run_without_jit() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "STOREFRONT_IDENTITY_SECRET"])
def test_production_refuses_to_start_without_secrets(missing: str) -> None:
    env = {**base_env(), **PRODUCTION}
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend",
    [
        "channels_redis.core.RedisChannelLayer",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "helpdesk.redis_layer.DeskPubSubChannelLayer",
    ],
)
async def test_layer_with_our_host_config_survives_an_idle_receive(backend: str) -> None:
    """redis-py 8 defaults to a 5 s socket timeout, which killed the core layer's blocking
    receive after 5 idle seconds; the host config sets ``socket_timeout: None``."""
    import asyncio

    from django.conf import settings
    from django.utils.module_loading import import_string

    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = import_string(backend)(hosts=config["hosts"], prefix=config["prefix"] + "-idle")
    channel = await layer.new_channel()
    # A group, as a socket joins one: the desk's layer subscribes a consumer's channel with it.
    await layer.group_add("idle", channel)
    receiver = asyncio.ensure_future(layer.receive(channel))
    try:
        await asyncio.sleep(6.5)
        assert not receiver.done(), receiver.exception()
        await layer.send(channel, {"type": "still.here"})
        message = await asyncio.wait_for(receiver, 5)
        assert message["type"] == "still.here"
    finally:
        receiver.cancel()
        await layer.flush()


def test_sharded_layer_and_replica_come_from_the_environment() -> None:
    conf = probe(
        {
            **PRODUCTION,
            "CHANNEL_REDIS_URLS": "redis://a.internal:6379/0, redis://b.internal:6379/0",
            "DATABASE_REPLICA_URL": "postgresql://ro@replica.internal:5432/deskdb",
        }
    )
    hosts = conf["layer_config"]["hosts"]
    assert [h["address"] for h in hosts] == [
        "redis://a.internal:6379/0",
        "redis://b.internal:6379/0",
    ]
    assert all(h["socket_timeout"] is None for h in hosts)
    assert conf["databases"] == ["default", "replica"]


def test_each_xdist_worker_gets_its_own_redis_database_and_prefixes() -> None:
    from tests.settings import isolate_xdist_worker

    env = {"PYTEST_XDIST_WORKER": "gw1", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    isolate_xdist_worker(env)
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/2"
    assert env["CHANNEL_PREFIX"] == env["CACHE_PREFIX"] == "helpdesk-gw1"
    isolate_xdist_worker(env)  # a server the worker starts reads the same environment
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/2"
    assert env["CHANNEL_PREFIX"] == "helpdesk-gw1"

    serial = {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    isolate_xdist_worker(serial)
    assert serial == {"REDIS_URL": "redis://127.0.0.1:6379/0"}

    with pytest.raises(RuntimeError, match="Redis database 16"):
        isolate_xdist_worker({"PYTEST_XDIST_WORKER": "gw15", "REDIS_URL": "redis://h:1/0"})


def test_this_run_uses_its_workers_redis(settings: Any) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    assert prefix.endswith(f"-{worker}") if worker else "-gw" not in prefix
