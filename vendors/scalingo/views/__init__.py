"""Scalingo pages, one module per resource: apps.py (the list, the app page, scale, restart,
charts), logs.py, deployments.py, variables.py."""
