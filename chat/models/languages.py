"""The languages automatic translation knows (chat/translation/)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The languages the desk detects and translates between (ISO 639-1; ``zh`` is Simplified
# Chinese). Kept short: every language added costs the detector memory and accuracy.
TRANSLATION_LANGUAGES = [
    ("en", _("English")),
    ("zh", _("Chinese")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("nl", _("Dutch")),
    ("ru", _("Russian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
    ("pl", _("Polish")),
    ("vi", _("Vietnamese")),
    ("th", _("Thai")),
    ("id", _("Indonesian")),
]
