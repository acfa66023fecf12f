"""Settings of the benchmarked server: production's, plus the bench-only routes.

`bench.run` starts gunicorn with these settings, `DEBUG` off and its own database
(`DATABASE_URL`, set by the runner). The only differences from production are the URLconf (the
floor and the internal catalog endpoints of the boundary comparison) and the order-placement
throttle: the bench places thousands of orders a minute from 49 customers, which production's
30 a minute per customer would turn into 429s.
"""

import os

os.environ.setdefault("THROTTLE_ORDER_PLACEMENT", "1000/s")

from shop.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
