"""The Scalingo simulator: a fake Scalingo (`server.py`) and its pieces (the world it keeps,
tokens and rate limits, the routes of each API, the demo's population). Run it with

    python -m vendors.scalingo.simulator --port 8002 --demo
"""

from vendors.scalingo.simulator.server import DEFAULT_PASSWORD, DEFAULT_TOKEN, PARTNER_TOKEN, ScalingoSimulator

__all__ = ["ScalingoSimulator", "DEFAULT_TOKEN", "PARTNER_TOKEN", "DEFAULT_PASSWORD"]
