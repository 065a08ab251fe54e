from django.urls import path

from helpdesk.socket_auth import auth_middleware_stack

from . import consumers

websocket_urlpatterns = [
    # The shopper's socket authenticates with its first frame (a visitor token; the widget
    # sends no cookie): routed without the session and user lookup of the workspace's socket,
    # which cost every shopper socket scope copies and middleware calls (docs/performance.md,
    # "Opening a visitor socket").
    path("ws/visitor/", consumers.VisitorConsumer.as_asgi()),
    # Authenticated by the session cookie.
    path("ws/agent/", auth_middleware_stack(consumers.AgentConsumer.as_asgi())),
]
