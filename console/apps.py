from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Holds the template tags every page loads (`{% load console %}`)."""

    name = "console"
    label = "console"
