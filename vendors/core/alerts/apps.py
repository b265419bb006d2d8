from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alerts: attention conditions stored as rows after each poll, and the team channels they notify."""

    name = "vendors.core.alerts"
    label = "alerts"
    verbose_name = "Alerts"
