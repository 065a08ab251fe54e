from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import listeners
        from .dialects import register_sqlite_functions

        listeners.connect()
        # SQLite (the embedded default) computes report days in a time zone through Python.
        connection_created.connect(register_sqlite_functions, dispatch_uid="analytics-sqlite")
