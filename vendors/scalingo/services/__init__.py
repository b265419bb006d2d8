"""Scalingo writes and actions, one module per resource (apps.py: scale, restart, refresh;
variables.py). Importing this package registers every action verb with the pipeline."""

from vendors.scalingo.services.apps import (
    formation_sentence, scalingo_app_refresh_now, scalingo_app_restart, scalingo_app_scale, scalingo_app_viewed,
)
from vendors.scalingo.services.variables import (
    scalingo_variable_delete, scalingo_variable_reveal, scalingo_variables_set,
)

__all__ = [
    "formation_sentence", "scalingo_app_refresh_now", "scalingo_app_restart", "scalingo_app_scale",
    "scalingo_app_viewed", "scalingo_variable_delete", "scalingo_variable_reveal", "scalingo_variables_set",
]
