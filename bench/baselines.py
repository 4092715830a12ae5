"""The baselines: what a hand-written query against the same tables costs.

Each answers the same question as the product code it is measured against, in one SQL
statement run on the raw psycopg connection (no ORM, no serializer), so the ratio shows
what the product's layers cost on top of the database's own work. All of it is
PostgreSQL SQL; ``closure_build`` creates a temporary table that lives as long as the
connection.
"""

from __future__ import annotations

from django.db import connection

# The people list of the API (``/api/v1/people/``), one page of it, as the API's JSON:
# the same fields, the same order (full name, then id) and the same pagination envelope.
PEOPLE_PAGE_SQL = """
SELECT json_build_object(
    'count', (SELECT count(*) FROM roles_person),
    'next', %(next)s::text,
    'previous', NULL,
    'results', COALESCE(json_agg(row_to_json(r) ORDER BY r.full_name, r.id), '[]'::json)
)::text
FROM (
    SELECT p.id, p.full_name, p.email, p.title,
           p.role_id AS role, ro.name AS role_name,
           p.manager_id AS manager, m.full_name AS manager_name,
           p.team_id AS team, t.name AS team_name,
           p.business_unit_id AS business_unit, bu.name AS business_unit_name,
           p.location, p.start_date, p.is_active, p.created_at, p.updated_at
    FROM roles_person p
    LEFT JOIN roles_role ro ON ro.id = p.role_id
    LEFT JOIN roles_person m ON m.id = p.manager_id
    LEFT JOIN roles_team t ON t.id = p.team_id
    LEFT JOIN roles_businessunit bu ON bu.id = p.business_unit_id
    ORDER BY p.full_name, p.id
    LIMIT %(limit)s OFFSET %(offset)s
) r
"""

# Every (ancestor, descendant) pair of the reporting lines, each person their own
# ancestor at depth 0: what a closure table maintained on every move would hold.
CLOSURE_BUILD_SQL = [
    "DROP TABLE IF EXISTS bench_closure",
    """
    CREATE TEMP TABLE bench_closure AS
    WITH RECURSIVE walk(ancestor, descendant, depth) AS (
        SELECT id, id, 0 FROM roles_person
        UNION ALL
        SELECT walk.ancestor, p.id, walk.depth + 1
        FROM walk JOIN roles_person p ON p.manager_id = walk.descendant
    )
    SELECT ancestor, descendant, depth FROM walk
    """,
    "CREATE INDEX bench_closure_ancestor ON bench_closure (ancestor, descendant)",
    "ANALYZE bench_closure",
]

# A subtree's people in the selector's order (people are ordered by name), and its ids
# alone, as visibility subqueries use them.
CLOSURE_SUBTREE_SQL = """
SELECT p.id
FROM bench_closure c
JOIN roles_person p ON p.id = c.descendant
WHERE c.ancestor = %(root)s
ORDER BY p.full_name
"""
CLOSURE_SUBTREE_IDS_SQL = "SELECT descendant FROM bench_closure WHERE ancestor = %(root)s"

# Every metric summed and counted per product and day: the least work any roll-up of
# the raw observations can do.
FLAT_GROUP_BY_SQL = """
SELECT metric_id, product_id, date_trunc('day', timestamp), sum(value), count(*)
FROM roadmaps_metricobservation
GROUP BY 1, 2, 3
"""

# The goals export of one period (``/goals/export.csv?period=<id>``) as an HR admin sees
# it: every goal of the period with its owner, period and parents, in the export's order.
GOALS_EXPORT_SQL = """
SELECT g.id, g.title, g.level, g.status, o.full_name, pe.name, g.progress, g.visibility,
       (SELECT string_agg(l.parent_id || ' (' || l.kind || ')', '; '
                          ORDER BY l.parent_id)
        FROM roadmaps_goallink l WHERE l.child_id = g.id)
FROM roadmaps_goal g
JOIN roadmaps_period pe ON pe.id = g.period_id
LEFT JOIN roles_person o ON o.id = g.owner_id
WHERE g.period_id = %(period)s
ORDER BY g.level, g.title, g.id
"""


# Fallback data, only when the database holds no observations and the bench is asked
# for it: every product reports a third of the metrics once a day over ``days`` days.
SYNTHETIC_SOURCE = "bench-synthetic"
SYNTHETIC_OBSERVATIONS_SQL = """
INSERT INTO roadmaps_metricobservation
    (metric_id, product_id, timestamp, value, source, created_at, updated_at)
SELECT m.id, p.id,
       date_trunc('day', now()) - make_interval(days => d::int) + make_interval(hours => ((p.id + d) %% 24)::int),
       round((100 + 50 * sin(p.id + d / 7.0) + (m.id * 13 + d) %% 40)::numeric, 2),
       %(source)s, now(), now()
FROM roadmaps_product p
CROSS JOIN roadmaps_metric m
CROSS JOIN generate_series(0, %(days)s - 1) AS d
WHERE (p.id + m.id) %% 3 = 0
"""


def raw_cursor():
    """A cursor of the psycopg connection under Django's (opened if need be)."""
    connection.ensure_connection()
    return connection.connection.cursor()


def people_page_json(*, limit: int, offset: int = 0, next_url: str | None = None) -> str:
    """One page of the people list as JSON text, from one SQL statement."""
    with raw_cursor() as cursor:
        cursor.execute(PEOPLE_PAGE_SQL, {"limit": limit, "offset": offset, "next": next_url})
        return cursor.fetchone()[0]


def closure_build() -> int:
    """Create and index the temporary closure table; returns its number of rows."""
    with raw_cursor() as cursor:
        for statement in CLOSURE_BUILD_SQL:
            cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM bench_closure")
        return cursor.fetchone()[0]


def closure_subtree_people(*, root_id: int) -> list[int]:
    """The ids of ``root_id`` and everyone under them, by name, from the closure table."""
    with raw_cursor() as cursor:
        cursor.execute(CLOSURE_SUBTREE_SQL, {"root": root_id})
        return [row[0] for row in cursor.fetchall()]


def closure_subtree_ids(*, root_id: int) -> list[int]:
    """The ids of ``root_id`` and everyone under them, read from the closure table alone."""
    with raw_cursor() as cursor:
        cursor.execute(CLOSURE_SUBTREE_IDS_SQL, {"root": root_id})
        return [row[0] for row in cursor.fetchall()]


def closure_subtree_sizes() -> list[tuple[int, int]]:
    """``(person_id, subtree size)`` of every person, largest subtree first."""
    with raw_cursor() as cursor:
        cursor.execute(
            "SELECT ancestor, count(*) FROM bench_closure GROUP BY ancestor ORDER BY 2 DESC, 1"
        )
        return cursor.fetchall()


def flat_group_by() -> int:
    """Run the flat ``GROUP BY`` over every observation; returns its number of rows."""
    with raw_cursor() as cursor:
        cursor.execute(FLAT_GROUP_BY_SQL)
        return len(cursor.fetchall())


def goals_export_rows(*, period_id: int) -> list[tuple]:
    """The rows of the goals export of ``period_id``, fetched raw."""
    with raw_cursor() as cursor:
        cursor.execute(GOALS_EXPORT_SQL, {"period": period_id})
        return cursor.fetchall()


def synthetic_observations_insert(*, days: int) -> int:
    """Insert the fallback observations (source ``bench-synthetic``); returns how many."""
    with raw_cursor() as cursor:
        cursor.execute(SYNTHETIC_OBSERVATIONS_SQL, {"source": SYNTHETIC_SOURCE, "days": days})
        inserted = cursor.rowcount
        cursor.execute("ANALYZE roadmaps_metricobservation")
    return inserted


def synthetic_observations_delete() -> int:
    """Delete the fallback observations again; returns how many."""
    with raw_cursor() as cursor:
        cursor.execute(
            "DELETE FROM roadmaps_metricobservation WHERE source = %s", [SYNTHETIC_SOURCE]
        )
        deleted = cursor.rowcount
    return deleted
