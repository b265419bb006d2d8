from django.apps import AppConfig


class ScalyrConfig(AppConfig):
    name = "vendors.scalyr"
    label = "scalyr"
    verbose_name = "Scalyr"

    def ready(self):
        from vendors.scalyr import vendor

        vendor.register()
