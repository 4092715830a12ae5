"""Strategy and goals in the HR admin: products, stage policies, visions, periods, goals.

Like the organisation's admin (``roles.admin``) it answers to HR admins only and writes
through the services, so what is derived stays derived: progress is never typed in, a
product's lifecycle stage moves only by a logged transition with a reason, and a goal
link that would close a cycle is refused by the same rule as in the pages and the API.
A rule a service refuses is shown on the form, next to the field it names (or above the
form), and nothing is saved.
"""

from .goals import (
    CheckInAdmin,
    GoalAdmin,
    GoalLinkAdmin,
    KeyResultAdmin,
    RoadmapItemAdmin,
)
from .metrics import MetricAdmin, MetricObservationAdmin, MetricRollupAdmin
from .products import PeriodAdmin, ProductAdmin, StagePolicyAdmin, VisionAdmin

__all__ = [
    "CheckInAdmin",
    "GoalAdmin",
    "GoalLinkAdmin",
    "KeyResultAdmin",
    "MetricAdmin",
    "MetricObservationAdmin",
    "MetricRollupAdmin",
    "PeriodAdmin",
    "ProductAdmin",
    "RoadmapItemAdmin",
    "StagePolicyAdmin",
    "VisionAdmin",
]
