from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Conversations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chat.attachments import install as media_install

        media_install()
        from chat.queue import install as queue_install

        queue_install()
        from chat.bot.setup import setup as bot_setup

        bot_setup()
        # Orders side: proactive order messages, flags, privacy hooks (helper C).
        from chat import order_notices, privacy  # noqa: F401
