from django.apps import AppConfig


class ScalingoConfig(AppConfig):
    name = "vendors.scalingo"
    label = "scalingo"
    verbose_name = "Scalingo"

    def ready(self):
        from vendors.scalingo import api_verbs, services, vendor  # noqa: F401 (they register action and API verbs)

        vendor.register()
