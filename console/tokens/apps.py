from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "console.tokens"
    label = "tokens"

    def ready(self):
        from console.api import schema  # noqa: F401  (registers how the OpenAPI document describes tokens)
