from django.apps import AppConfig


class TestVendorConfig(AppConfig):
    """A minimal vendor used by the core tests: proves the core never needs a real vendor."""

    name = "tests.testvendor"
    label = "testvendor"

    def ready(self):
        from tests.testvendor import api_verbs, held, vendor  # noqa: F401  (the verbs register on import)

        vendor.register()
