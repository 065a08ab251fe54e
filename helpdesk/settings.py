"""Settings for Helpdesk.

With no environment set, the desk runs embedded: SQLite, the in-memory channel layer and
eager Celery, in one process. ``DATABASE_URL`` and ``REDIS_URL`` switch it to PostgreSQL
(psycopg 3 with Django's pool), channels-redis, Celery on a Redis broker and the Redis cache.
Secrets come only from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from helpdesk.conf.env import database_from_url, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
PRODUCTION = bool(DATABASE_URL)

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION and not DEBUG:
        raise RuntimeError("SECRET_KEY must be set in the environment in production")
    SECRET_KEY = "embedded-dev-only-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Storefronts allowed to embed the widget and open /ws/visitor/ (scheme://host[:port]).
STOREFRONT_ORIGINS = env_list("STOREFRONT_ORIGINS", "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "helpdesk",
    "orders",
    "chat",
    "inboxes",
    "analytics",
    "audit",
    "anymail",
    "csp",
    # Login throttling (docs/security.md).
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every page (django-csp; docs/security.md). Responses that set
    # their own (attachments, docs/media.md) keep theirs.
    "helpdesk.csp.CSPMiddleware",
    # Static files (the widget script, the workspace) straight from Daphne; a CDN/proxy may
    # front it in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for the widget's REST calls from STOREFRONT_ORIGINS (no credentials).
    "helpdesk.storefront.WidgetCorsMiddleware",
    # Text that cannot be stored and JSON too large or too deep: refused before any view
    # (after CORS, so the widget can read the refusal).
    "helpdesk.edge.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
ASGI_APPLICATION = "helpdesk.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

if PRODUCTION:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
    # A streaming replica for report pages (helpdesk/db_routers.py); without it they read the
    # primary like everything else.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
    # Covering indexes (INCLUDE, analytics) are PostgreSQL's; SQLite keeps the key columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DATABASE_ROUTERS = ["helpdesk.db_routers.ReportReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: the core layer's group_send was ~6x slower at p99 and
            # dropped messages under load (DESIGN.md; bench/ measures both). Its subclass in
            # helpdesk/redis_layer.py: a lighter channel per socket, one SUBSCRIBE per socket.
            "BACKEND": os.environ.get(
                "CHANNEL_LAYER_BACKEND", "helpdesk.redis_layer.DeskPubSubChannelLayer"
            ),
            "CONFIG": {
                # redis-py 8 defaults to a 5 s socket timeout that kills idle subscribers.
                # CHANNEL_REDIS_URLS shards the layer over several Redis servers (channels and
                # groups are spread by a hash of their names; every process must list the
                # same servers in the same order): docs/scaling.md.
                "hosts": [
                    {"address": url, "socket_timeout": None}
                    for url in env_list("CHANNEL_REDIS_URLS") or [REDIS_URL]
                ],
                "prefix": os.environ.get("CHANNEL_PREFIX", "helpdesk"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "helpdesk"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: broker, late acknowledgement, and the beat schedule (helpdesk/conf/celery.py).
from helpdesk.conf.celery import *  # noqa: E402, F403

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# One catalogue per area (locale/<area>/zh_Hans/...), so parts of the desk translate
# independently; Django merges them.
LOCALE_PATHS = sorted(p for p in (BASE_DIR / "locale").glob("*") if p.is_dir())
TIME_ZONE = "UTC"
# Reports (docs/metrics.md): the shop's currency (ISO 4217 code) that order values are in, and
# the shop's time zone (IANA name) in which report days, hours and the heat map are made.
REPORTS: dict[str, Any] = {
    "CURRENCY": os.environ.get("SHOP_CURRENCY", "USD"),
    "TIME_ZONE": os.environ.get("SHOP_TIME_ZONE", "UTC"),
}
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve from the app/static dirs too, so a server works without collectstatic (tests, demo).
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
# Attachments go through the default storage: local files, or any S3-compatible bucket when
# AWS_STORAGE_BUCKET_NAME is set (credentials from the usual AWS_* variables; docs/media.md).
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
HELPDESK_MEDIA: dict[str, Any] = {
    # Lifetime of the signed links in message payloads (seconds); clients refetch after it.
    "URL_TTL": int(os.environ.get("HELPDESK_MEDIA_URL_TTL", "3600")),
    # Lifetime of the signed redirect to the bucket.
    "REDIRECT_TTL": 60,
    # Uploads not attached to a message within this many hours are deleted.
    "ORPHAN_HOURS": float(os.environ.get("HELPDESK_MEDIA_ORPHAN_HOURS", "24")),
    # Most uploads one person may hold unsent within an hour.
    "PENDING_PER_ACTOR": 30,
}

# Outgoing mail of email channels without their own SMTP server: Django's SMTP backend
# (EMAIL_HOST …) or an anymail ESP backend, e.g.
# EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend with MAILGUN_API_KEY.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helpdesk@localhost")
# Inbound email webhooks (docs/channels.md): anymail checks each ESP's request with these.
ANYMAIL: dict[str, Any] = {
    key: os.environ[f"ANYMAIL_{key}"]
    for key in (
        "WEBHOOK_SECRET",
        "MAILGUN_API_KEY",
        "MAILGUN_WEBHOOK_SIGNING_KEY",
        "POSTMARK_SERVER_TOKEN",
        "SENDGRID_API_KEY",
        "MAILJET_API_KEY",
        "MAILJET_SECRET_KEY",
        "SPARKPOST_API_KEY",
    )
    if os.environ.get(f"ANYMAIL_{key}")
}
HELPDESK_CHANNELS: dict[str, Any] = {
    "SEND_ATTEMPTS": int(os.environ.get("HELPDESK_SEND_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": float(os.environ.get("HELPDESK_SEND_BACKOFF_SECONDS", "10")),
    # How long a worker holds a delivery for one send. Keep it under the broker's visibility
    # timeout: a task redelivered after its worker died finds the claim expired and sends.
    "CLAIM_SECONDS": float(os.environ.get("HELPDESK_SEND_CLAIM_SECONDS", "120")),
}

# Content-Security-Policy and login throttling (helpdesk/conf/security.py).
from helpdesk.conf.security import *  # noqa: E402, F403

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "helpdesk.schema.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.errors.api_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.auth.DeskSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["helpdesk.edge.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Widget, agent and shop-integration endpoints of Helpdesk.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several "status" choice sets: name each, so check --deploy stays free of warnings.
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": ["open", "pending", "snoozed", "resolved"],
        # orders.models.Order.Status / Shipment.Status (settings cannot import models).
        "OrderStatusEnum": [
            "pending",
            "paid",
            "processing",
            "shipped",
            "delivered",
            "cancelled",
            "refunded",
        ],
        "ShipmentStatusEnum": [
            "pending",
            "in_transit",
            "out_for_delivery",
            "delivered",
            "delayed",
            "exception",
            "returned",
        ],
        "PresenceStatusEnum": ["online", "away", "offline"],
    },
}

# Chat behaviour.
HELPDESK: dict[str, Any] = {
    "MAX_FRAME_BYTES": 64 * 1024,
    "MAX_BODY_CHARS": int(os.environ.get("HELPDESK_MAX_BODY_CHARS", "10000")),
    # Per-socket token bucket: sustained frames per second and burst size.
    "RATE_PER_SECOND": float(os.environ.get("HELPDESK_RATE_PER_SECOND", "10")),
    "RATE_BURST": int(os.environ.get("HELPDESK_RATE_BURST", "30")),
    # A resolved conversation is reopened by the shopper's next message within this window;
    # after it, the shopper's message starts a new conversation.
    "REOPEN_WINDOW_DAYS": int(os.environ.get("HELPDESK_REOPEN_WINDOW_DAYS", "7")),
    "RESUME_BATCH": 500,
    # Threads for the sockets' database calls (helpdesk/db_threads.py); 0: Channels' one
    # thread per process. Each holds at most one pooled connection, only during a call.
    # On by default in production: a message no longer waits for another socket's database
    # round trips (docs/performance.md, "The message path without a one-thread bottleneck").
    # Embedded, SQLite keeps one writer thread.
    "DB_THREADS": int(os.environ.get("HELPDESK_DB_THREADS", "8" if PRODUCTION else "0")),
    # A socket's send queue (chat/outbox.py): frames and bytes waiting for a reader that
    # stopped reading before the socket is dropped to resume, and how long a handler's own
    # frames wait for room.
    "SEND_QUEUE_FRAMES": int(os.environ.get("HELPDESK_SEND_QUEUE_FRAMES", "1000")),
    "SEND_QUEUE_BYTES": int(os.environ.get("HELPDESK_SEND_QUEUE_BYTES", str(4 * 1024 * 1024))),
    "SEND_WAIT_SECONDS": float(os.environ.get("HELPDESK_SEND_WAIT_SECONDS", "10")),
}

# Automatic translation and voice/video calls (helpdesk/conf/translation.py, calls.py).
from helpdesk.conf.calls import *  # noqa: E402, F403
from helpdesk.conf.translation import *  # noqa: E402, F403

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own default gives "django" a console handler too (under DEBUG), and the record
    # then also reaches the root's: every line of the embedded default printed twice.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Off only for tests and local production-mode runs over plain http.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# The shop's storefront identity secret: its backend signs external_id with it (CONTRACT.md).
STOREFRONT_IDENTITY_SECRET = os.environ.get("STOREFRONT_IDENTITY_SECRET", "")
if not STOREFRONT_IDENTITY_SECRET:
    if PRODUCTION and not DEBUG:
        raise RuntimeError("STOREFRONT_IDENTITY_SECRET must be set in production")
    STOREFRONT_IDENTITY_SECRET = "demo-storefront-secret"
