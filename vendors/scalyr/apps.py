from django.apps import AppConfig


class ScalyrConfig(AppConfig):
    name = "vendors.scalyr"
    label = "scalyr"
    verbose_name = "Scalyr"

    def ready(self):
        from vendors.scalyr import configfiles, vendor  # noqa: F401 (configfiles register action verbs)

        vendor.register()
