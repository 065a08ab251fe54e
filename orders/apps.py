from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Customers and orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk import storefront

        from .storefront import storefront_context

        if storefront_context not in storefront.storefront_context_hooks:
            storefront.storefront_context_hooks.append(storefront_context)
        storefront.widget_strings_register(
            "cards", {"view_order": _("View order"), "view_product": _("View product")}
        )
