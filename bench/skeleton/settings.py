"""Settings of the skeleton chat: Channels, the pub/sub Redis layer, nothing else.

It reads the same ``DATABASE_URL`` and ``REDIS_URL`` as the desk's bench, so both run on the
same PostgreSQL and Redis; its tables are its own (``skel_*``).
"""

import os

SECRET_KEY = "skeleton-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["channels"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.skeleton.app"
ASGI_APPLICATION = "bench.skeleton.app.application"
DATABASES: dict = {}
USE_TZ = True
DATABASE_URL = os.environ["DATABASE_URL"]
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": None}],
            "prefix": "skel",
        },
    }
}
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
