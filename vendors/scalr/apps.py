from django.apps import AppConfig


class ScalrConfig(AppConfig):
    name = "vendors.scalr"
    label = "scalr"
    verbose_name = "Scalr"

    def ready(self):
        from console import redaction
        from vendors.scalr import services, vendor  # noqa: F401 (services register action verbs)
        from vendors.scalr.api import verbs  # noqa: F401 (offers the action verbs to the API)

        vendor.register()
        # the event callback URL's last segment is its token (views/callback.py): never in a log line
        redaction.register_secret_path(r"/scalr/+callback/+[^/\s?#]*/+")
