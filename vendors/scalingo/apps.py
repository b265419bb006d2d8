from django.apps import AppConfig


class ScalingoConfig(AppConfig):
    name = "vendors.scalingo"
    label = "scalingo"
    verbose_name = "Scalingo"

    def ready(self):
        from vendors.scalingo import services, vendor  # noqa: F401 (services register action verbs)

        vendor.register()
