"""The Scalyr simulator: a fake Scalyr server (`server.py`) and its pieces (event store and
generator, filter language, query methods, config files). Run it with

    python -m vendors.scalyr.simulator --port 8383 --demo
"""

from vendors.scalyr.simulator.server import ACCEPTS, DEMO_FILES, ScalyrFaults, ScalyrSimulator

__all__ = ["ACCEPTS", "DEMO_FILES", "ScalyrFaults", "ScalyrSimulator"]
