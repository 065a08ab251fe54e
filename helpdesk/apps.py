from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        from django.contrib import admin

        # The admin is the desk's back office: its name on every admin page instead of
        # Django's (templates/admin/base_site.html adds the logo and colours).
        admin.site.site_header = _("Admin")
        admin.site.site_title = _("Helpdesk admin")
        admin.site.index_title = _("Manage the desk")
