"""The leader dashboard: what a leader's part of the organisation achieves and where its
alignment breaks, read in a fixed number of queries whatever the subtree's size.

Metric numbers come only from pre-aggregated :class:`~roadmaps.models.MetricRollup`
rows at product scope (never from raw observations), combined by the database per
metric and period following each metric's rule: a sum adds up, an average is the sum of
the readings over their count (never an average of averages), min and max take the extreme, and
a "last" metric takes the value of the row whose latest reading is the most recent
(never summed; on a tie, the higher product id's, as the roll-up decides). When the
leader's subtree owns every product, the series are the company-scope rows, which the
roll-up combined by the same rules. Goals are those the subtree owns *and* the viewer may see
(``goal_visibility_q``): a private goal the viewer may not see is neither counted nor
named. Seat costs and budgets are never read.
"""

from __future__ import annotations

from .page import dashboard_leader_choices, leader_dashboard
from .series import parse_grain
from .tables import (
    FindingsPage,
    dashboard_findings,
    dashboard_findings_page,
    dashboard_key_metrics,
    dashboard_products,
    dashboard_units,
    subtree_products,
)
from .types import FINDING_SORTS, FINDINGS_PAGE_SIZE, PRODUCT_SORTS, UNIT_SORTS, Dashboard

__all__ = [
    "FINDINGS_PAGE_SIZE",
    "FINDING_SORTS",
    "PRODUCT_SORTS",
    "UNIT_SORTS",
    "Dashboard",
    "FindingsPage",
    "dashboard_findings",
    "dashboard_findings_page",
    "dashboard_key_metrics",
    "dashboard_leader_choices",
    "dashboard_products",
    "dashboard_units",
    "leader_dashboard",
    "parse_grain",
    "subtree_products",
]
