"""ASGI entry point: Django for HTTP, Channels for WebSockets (Origin-checked)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# Build Django first so the apps are ready before consumers import models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.websocket_urls import websocket_urlpatterns  # noqa: E402
from helpdesk import embedded_beat, gc_policy  # noqa: E402
from helpdesk.session_door import session_door  # noqa: E402
from inboxes.door import webhook_door  # noqa: E402


def allowed_origins() -> list[str]:
    """Hosts of this site plus the storefronts that embed the widget."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts + list(settings.STOREFRONT_ORIGINS)


application = ProtocolTypeRouter(
    {
        # The providers' webhooks skip the pages' middleware (inboxes/door.py), the widget's
        # session POST all but the middleware it needs (helpdesk/session_door.py).
        "http": session_door(webhook_door(django_asgi_app)),
        # The session and user lookup wraps the workspace's socket only (chat/websocket_urls.py).
        "websocket": OriginValidator(URLRouter(websocket_urlpatterns), allowed_origins()),
    }
)

# The embedded default has no celery beat: its periodic jobs run in a thread here.
embedded_beat.start()

# Everything loaded so far (Django, the apps, the URL conf) lives as long as the process: it is
# frozen out of the collector's sight. With HELPDESK_GC_POLICY=1 so is what survives each full
# collection later, so a full collection walks only what is new (helpdesk/gc_policy.py: 1.1-1.3 s
# pauses at 10,000 idle sockets without it, and more memory with it; docs/deployment.md).
gc_policy.install()
