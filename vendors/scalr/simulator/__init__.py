"""The Scalr simulator: a fake installation speaking both API generations (see `server`).

Run it with `python -m vendors.scalr.simulator --port 8081 --demo`.
"""

from vendors.scalr.simulator.server import (DEMO_CREDENTIALS, DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID,
                                            DEMO_V2_SECRET, DEMO_V2_STAGING_KEY_ID, DEMO_V2_STAGING_SECRET,
                                            ScalrSimulator)

__all__ = ["DEMO_CREDENTIALS", "DEMO_V1_KEY_ID", "DEMO_V1_SECRET", "DEMO_V2_KEY_ID", "DEMO_V2_SECRET",
           "DEMO_V2_STAGING_KEY_ID", "DEMO_V2_STAGING_SECRET", "ScalrSimulator"]
