"""Content-Security-Policy and login throttling (docs/security.md).

Star-imported by ``helpdesk.settings``.
"""

from __future__ import annotations

import datetime as dt
import os

from csp.constants import NONCE

from helpdesk.conf.env import env_list

# Content-Security-Policy (django-csp; docs/security.md): scripts only from this origin's
# files, never inline (a nonce for the rare page that needs one); sockets to this host (ws/wss
# added per request by helpdesk.csp); images and media from here, data:/blob: (the widget shows
# attachments from blob: URLs), the shop's image hosts and, with a bucket, its signed URLs.
CSP_IMG_ORIGINS = env_list("CSP_IMG_ORIGINS", "https:")
CSP_MEDIA_ORIGINS = env_list(
    "CSP_MEDIA_ORIGINS", "https:" if os.environ.get("AWS_STORAGE_BUCKET_NAME") else ""
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "script-src-attr": ["'none'"],
        # Inline style attributes and the widget's <style> parts: styles cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_IMG_ORIGINS, *CSP_MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *CSP_MEDIA_ORIGINS],
        "connect-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# Login throttling with django-axes (docs/security.md): after AXES_FAILURE_LIMIT wrong passwords
# an account is locked, and so is the address they came from (each counted apart, so one
# address cannot try many accounts and many addresses cannot try one), until the cool-off ends
# or an admin deletes the lock under Axes → Access attempts. The address is REMOTE_ADDR: behind
# the proxy, uvicorn's --proxy-headers puts the client's there (docs/deployment.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helpdesk.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "helpdesk.lockout.client_username"
AXES_HTTP_RESPONSE_CODE = 429
# Passwords are never stored; the access log keeps failures only (the audit log has the rest).
AXES_DISABLE_ACCESS_LOG = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
