from django.apps import AppConfig


class ScalyrConfig(AppConfig):
    name = "vendors.scalyr"
    label = "scalyr"
    verbose_name = "Scalyr"

    def ready(self):
        from vendors.scalyr import services, vendor  # noqa: F401 (services register action verbs)

        vendor.register()
