"""The product's settings plus the bench's raw-SQL baseline views (``bench.urls``).

Used only by the benchmark's own gunicorn; ``CONN_MAX_AGE`` comes from the environment
exactly as in production (``productorg.settings``), which the runner sets.
"""

from productorg.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
