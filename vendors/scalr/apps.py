from django.apps import AppConfig


class ScalrConfig(AppConfig):
    name = "vendors.scalr"
    label = "scalr"
    verbose_name = "Scalr"

    def ready(self):
        from vendors.scalr import services, vendor  # noqa: F401 (services register action verbs)

        vendor.register()
