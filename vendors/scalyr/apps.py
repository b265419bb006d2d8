from django.apps import AppConfig


class ScalyrConfig(AppConfig):
    name = "vendors.scalyr"
    label = "scalyr"
    verbose_name = "Scalyr"

    def ready(self):
        from vendors.scalyr import api_verbs, receivers, services, vendor  # noqa: F401 (they register verbs)

        vendor.register()
        receivers.connect()
