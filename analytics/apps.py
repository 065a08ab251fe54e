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
        from django.db.models.signals import post_delete, post_save

        from chat.models import Holiday, Schedule, ScheduleInterval

        from .models import SlaPolicy
        from .sla.due import due_stale
        from .sla.policies import policies_changed

        for signal in (post_save, post_delete):
            signal.connect(policies_changed, sender=SlaPolicy, dispatch_uid=f"sla-{signal}")
            # Every open conversation's next due moment again, from the next tick on: after
            # a change of the policies, or of the business hours their clocks count in.
            for model in (SlaPolicy, Schedule, ScheduleInterval, Holiday):
                signal.connect(
                    due_stale,
                    sender=model,
                    dispatch_uid=f"sla-due-{model.__name__}-{signal}",
                )
        # SQLite (the embedded default) computes report days in a time zone through Python.
        connection_created.connect(register_sqlite_functions, dispatch_uid="analytics-sqlite")
