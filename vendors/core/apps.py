from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vendors.core"
    label = "core"
    verbose_name = "Vendors core"
