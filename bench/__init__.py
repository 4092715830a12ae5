"""The performance benchmark: ProductOrg against hand-built baselines in the same database.

Run ``make bench`` (or ``python -m bench.run``) with ``DATABASE_URL`` pointing at a
PostgreSQL database that holds the large demo (``manage.py seed_demo --size large``).
Nothing here is part of the product: the bench settings add a few raw-SQL views on top
of the product's URLs, and the product's settings never load this package.
"""
