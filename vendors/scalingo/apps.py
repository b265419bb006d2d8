from django.apps import AppConfig


class ScalingoConfig(AppConfig):
    name = "vendors.scalingo"
    label = "scalingo"
    verbose_name = "Scalingo"

    def ready(self):
        from vendors.scalingo import vendor

        vendor.register()
