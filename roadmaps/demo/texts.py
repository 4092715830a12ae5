"""The words of the demo's strategy: visions, product names, goal and key-result titles.

Catalogues only; :mod:`roadmaps.demo.plan` picks from them with its seeded generator.
Placeholders in braces are filled in by the planner (``{unit}``, ``{product}``…).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Visions --------------------------------------------------------------------------
# The company vision as first written, and as revised a year later (kept in history).
COMPANY_VISION_FIRST = (
    "Help every independent business sell online as easily as the largest retailers.",
    ["Delight buyers at every step", "Win small businesses", "Build a platform, not features"],
)
COMPANY_VISION = (
    "Every independent business can sell anywhere, to anyone, in minutes — "
    "and grow on a platform it never outgrows.",
    [
        "Delight buyers at every step",
        "Win small and mid-sized businesses",
        "A platform teams build on in days, not months",
        "Grow efficiently",
    ],
)
TOP_UNIT_VISIONS = {
    "Consumer": (
        "Buyers find what they want in seconds and come back because they trust us.",
        ["Effortless discovery", "Checkout nobody abandons", "Trust by default"],
    ),
    "Business": (
        "Merchants of every size run their business on us without calling anyone.",
        ["Self-serve first", "Enterprise-ready controls", "Insight in every screen"],
    ),
    "Platform": (
        "Product teams ship safely every day on shared, boring, reliable foundations.",
        ["Paved roads", "Reliability as a feature", "Security built in"],
    ),
    "Growth": (
        "Every visitor who could succeed with us gets there, at a cost we are proud of.",
        ["Activation over acquisition", "Price for value", "Learn from every experiment"],
    ),
    "Operations": (
        "Orders arrive on time and problems are fixed before customers notice.",
        ["Automate the routine", "Predict, don't react", "Partners as first-class users"],
    ),
}
UNIT_VISION_TEMPLATES = (
    "{unit} that customers never have to think about.",
    "The best {unit} in the market, measured by what customers do, not what they say.",
    "{unit} that turns first-time visitors into loyal customers.",
    "{unit} every team can rely on and build upon.",
    "{unit} that scales with our customers from their first sale to their millionth.",
)
UNIT_PILLARS = (
    "Speed",
    "Reliability",
    "Self-serve",
    "Insight",
    "Simplicity",
    "Trust",
    "Reach",
    "Efficiency",
    "Quality",
    "Automation",
)
PRODUCT_VISION_TEMPLATES = {
    "discovery": "Find out whether {product} solves a problem customers will pay to have solved.",
    "launch": "Get {product} into the hands of its first customers and to value on day one.",
    "pmf": "Make {product} something its users would be very disappointed to lose.",
    "growth": "Take {product} to every customer who needs it.",
    "maturity": "Keep {product} the dependable, profitable default in its category.",
    "sunset": "Move every {product} customer to its successor without losing one.",
    "retired": "{product} served its customers well; its successor carries on.",
}
PRODUCT_PILLARS = {
    "discovery": ["Customer problems", "Cheap experiments"],
    "launch": ["Time to value", "First 100 customers"],
    "pmf": ["Retention", "Word of mouth"],
    "growth": ["Adoption", "Scalable onboarding"],
    "maturity": ["Margin", "Reliability"],
    "sunset": ["Migration", "Customer care"],
    "retired": [],
}

# --- Products ---------------------------------------------------------------------------
PRODUCT_NAMES = {
    "Onboarding": (
        "Signup Flow", "Welcome Tour", "Identity Verification", "Guided Setup",
        "Starter Templates", "Invite Teammates",
    ),
    "Search & Discovery": (
        "Search", "Autocomplete", "Recommendations", "Category Browse", "Saved Searches",
        "Visual Search",
    ),
    "Self-serve": (
        "Plans & Upgrades", "In-app Billing", "Usage Dashboard", "Team Workspaces",
        "Trial Experience", "Self-serve Signup",
    ),
    "Enterprise": (
        "SSO & SCIM", "Audit Log", "Admin Controls", "Data Residency", "Enterprise Reporting",
        "Custom Roles",
    ),
    "Identity": (
        "Login", "Passkeys", "Account Recovery", "Permissions Service", "Sessions",
        "Fraud Signals",
    ),
    "Payments Infrastructure": (
        "Payment Gateway", "Payouts", "Card Vault", "Refunds Engine", "Ledger",
        "Currency Conversion",
    ),
}  # fmt: skip
# For the units without a list of their own: "<unit> <noun>".
PRODUCT_NOUNS = (
    "Hub", "Studio", "Assistant", "Insights", "Connect", "Console", "Flow", "Express",
    "Radar", "Pulse", "Kit", "Sync", "Guard", "Lens", "Compass", "Beacon", "Bridge",
    "Forge", "Relay", "Ledger", "Atlas", "Canvas", "Switch", "Spark", "Anchor", "Orbit",
    "Harbor", "Nest", "Vault", "Scout", "Signal", "Mosaic", "Prism", "Trail", "Keystone",
    "Lighthouse", "Runway", "Toolkit", "Workbench", "Gateway",
)  # fmt: skip
PRODUCT_EDITIONS = ("Pro", "Mobile", "for Teams", "API", "Lite", "Plus")

# Why a product moved to a stage (forward), and why it went back.
STAGE_REASONS = {
    "launch": (
        "Problem confirmed in 24 customer interviews; the beta is ready.",
        "Prototype tests: 8 of 10 customers completed the core task unaided.",
        "Design partners signed up; launching to them first.",
    ),
    "pmf": (
        "Launched to every customer; now proving they stay.",
        "General availability shipped; activation above 40%.",
        "Launch done, pricing set: the question now is retention.",
    ),
    "growth": (
        "Day-30 retention steady above 35% for two quarters.",
        "Sean Ellis test: 46% would be very disappointed without it.",
        "Retention curves flattened; time to scale acquisition.",
    ),
    "maturity": (
        "Growth has levelled off at market share; focus moves to margin.",
        "Adoption saturated in our segments; optimising the business now.",
        "Most customers use it; the work is reliability and cost.",
    ),
    "sunset": (
        "Superseded by its successor; usage is declining month on month.",
        "Maintenance costs exceed revenue; winding down over two quarters.",
        "Strategy review: no longer core. Migrating customers.",
    ),
    "retired": (
        "Last customers migrated; switched off and archived.",
        "Contractual notice period ended; the service is shut down.",
    ),
}
BACKWARD_REASONS = {
    "pmf": (
        "Retention fell after the pricing change; back to proving fit.",
        "A new segment churned within weeks; re-validating fit before scaling further.",
    ),
    "growth": ("A competitor reset the market; back to growth mode with a new plan.",),
}

# --- Goals ------------------------------------------------------------------------------
COMPANY_GOALS = (
    # (pillar index, title, description)
    (0, "Make checkout the fastest in our market", "Fewer steps, faster pages, fewer drop-offs."),
    (1, "Grow self-serve revenue from small businesses", "Most of our growth should need no sales call."),
    (2, "Cut the time to ship a new product capability in half", "Paved roads over bespoke builds."),
    (3, "Reach break-even on customer acquisition within six months", "Grow, but pay for it."),
    (0, "Earn buyers' trust: NPS above 50", "Trust is why buyers come back."),
    (1, "Become the default for mid-sized merchants", "Win deals we used to lose on controls."),
    (2, "Run every product at 99.95% availability", "Reliability is a feature customers notice."),
    (3, "Grow gross margin by three points", "Efficiency funds the next bets."),
)  # fmt: skip
YEAR_GOALS = (
    "Delight buyers: the most recommended place to shop independent",
    "Win small and mid-sized businesses: 50,000 paying merchants",
    "A platform teams build on in days: every team on the paved road",
    "Grow efficiently: profitable growth every quarter",
)
TOP_UNIT_GOALS = (
    "Make {unit} the growth engine of the company",
    "Lift {unit} retention to best in class",
    "Halve the time {unit} customers need to get value",
    "Make {unit} self-serve end to end",
    "Raise {unit} quality: fewer incidents, happier customers",
    "Double {unit} revenue from existing customers",
)
UNIT_GOALS = (
    "{unit}: double weekly active users",
    "Make {unit} the easiest in the market",
    "Cut {unit} support contacts by a third",
    "Ship the {unit} roadmap for the quarter on time",
    "Grow {unit} conversion across every step",
    "Make {unit} reliable enough to forget about",
    "Turn {unit} insight into the quarter's bets",
    "Bring {unit} to enterprise customers",
)
HEAD_GOALS = (
    "{unit} product line: focus on the three bets that matter",
    "{unit} product line: every product with a metric it moves",
    "{unit} product line: prove impact, not output",
    "{unit} product line: retire what customers no longer need",
)
PRODUCT_GOALS = {
    "discovery": (
        "Validate the problem {product} solves",
        "Find the first ten customers who need {product}",
        "Decide whether {product} is worth building",
    ),
    "launch": (
        "Launch {product} to the first 1,000 customers",
        "Get {product} beta customers to value in a day",
        "Make the {product} launch land",
    ),
    "pmf": (
        "Prove {product} keeps its users",
        "Find the {product} segment that loves it",
        "Make {product} a habit",
    ),
    "growth": (
        "Grow {product} adoption across our customers",
        "Make {product} the way customers work",
        "Scale {product} without scaling support",
    ),
    "maturity": (
        "Improve {product} margins",
        "Keep {product} fast and dependable",
        "Defend {product} against cheaper alternatives",
    ),
    "sunset": (
        "Move {product} customers to its successor",
        "Wind down {product} without losing a customer",
    ),
    "retired": ("Retire {product} cleanly",),
}
TEAM_GOALS = {
    "product": (
        "{team}: ship small, ship weekly",
        "{team}: learn from every release",
        "{team}: fix the paper cuts customers mention most",
        "{team}: make the core journey effortless",
    ),
    "platform": (
        "{team}: a paved road every product team uses",
        "{team}: cut incident minutes in half",
        "{team}: self-serve infrastructure for product teams",
    ),
    "design": (
        "{team}: one design system across the unit",
        "{team}: research with customers every week",
    ),
    "data": (
        "{team}: every product decision backed by a dashboard",
        "{team}: trustworthy metrics, refreshed daily",
    ),
}
INDIVIDUAL_GOALS = (
    "Grow into the next role on the ladder",
    "Become the team's expert on our customers",
    "Sharpen my data skills",
    "Lead a discovery track end to end",
    "Build my network across the business",
    "Mentor someone newer to the team",
    "Get better at writing decisions down",
    "Own a metric and move it",
    "Speak at an internal product review",
    "Learn the basics of our pricing",
)


@dataclass(frozen=True)
class KeyResultTemplate:
    """A kind of key result. ``change`` says how the target follows from the start:
    ``("rel", lo, hi)`` a relative change, ``("abs", lo, hi)`` an absolute one, and
    ``("count", lo, hi)`` counts up from zero to a whole number."""

    title: str  # "{start}" and "{target}" are filled in
    unit: str
    direction: str  # "increase" or "decrease"
    start: tuple[float, float]
    change: tuple[str, float, float]
    decimals: int = 0
    metric: str = ""


def _kr(title, unit, direction, start, change, decimals=0, metric=""):
    return KeyResultTemplate(title, unit, direction, start, change, decimals, metric)


UP, DOWN = "increase", "decrease"
KR_WAU = _kr("Weekly active users from {start} to {target}", "users", UP, (8_000, 60_000), ("rel", 0.1, 0.3), metric="weekly_active_users")  # fmt: skip
KR_ACTIVATION = _kr("Activation rate from {start}% to {target}%", "%", UP, (20, 45), ("abs", 3, 10), 1, "activation_rate")  # fmt: skip
KR_RETENTION = _kr("Day-30 retention from {start}% to {target}%", "%", UP, (15, 40), ("abs", 2, 6), 1, "retention_d30")  # fmt: skip
KR_NPS = _kr("NPS from {start} to {target}", "", UP, (10, 40), ("abs", 5, 15), metric="nps")
KR_REVENUE = _kr("Monthly revenue from €{start}k to €{target}k", "k€", UP, (200, 2_000), ("rel", 0.08, 0.25), metric="revenue")  # fmt: skip
KR_MARGIN = _kr("Gross margin from {start}% to {target}%", "%", UP, (45, 70), ("abs", 1, 4), 1, "gross_margin")  # fmt: skip
KR_INTERVIEWS = _kr("Run {target} customer interviews", "interviews", UP, (0, 0), ("count", 12, 30), metric="customer_interviews")  # fmt: skip
KR_EXPERIMENTS = _kr("Run {target} experiments", "experiments", UP, (0, 0), ("count", 4, 12), metric="experiments_run")  # fmt: skip
KR_LATENCY = _kr("p95 page load from {start} ms to {target} ms", "ms", DOWN, (900, 2_500), ("rel", 0.25, 0.5))  # fmt: skip
KR_TICKETS = _kr("Support tickets per 1,000 orders from {start} to {target}", "tickets", DOWN, (8, 25), ("rel", 0.2, 0.4), 1)  # fmt: skip
KR_CONVERSION = _kr("Conversion from {start}% to {target}%", "%", UP, (2, 6), ("abs", 0.3, 1.2), 2, "conversion_rate")  # fmt: skip
KR_MIGRATION = _kr("Migrate {target}% of customers to the successor", "%", UP, (0, 0), ("count", 60, 100), metric="migration_rate")  # fmt: skip
KR_ACTIVE_CUSTOMERS = _kr("Active customers on the old product from {start} to {target}", "customers", DOWN, (300, 4_000), ("rel", 0.5, 0.9), metric="active_customers")  # fmt: skip
KR_UPTIME = _kr("Availability from {start}% to {target}%", "%", UP, (99.5, 99.9), ("abs", 0.04, 0.09), 2, "availability")  # fmt: skip
KR_TIME_TO_VALUE = _kr("Days to a new merchant's first sale from {start} to {target}", "days", DOWN, (9, 21), ("rel", 0.3, 0.5), 1)  # fmt: skip
KR_INCIDENTS = _kr("Incidents per month from {start} to {target}", "incidents", DOWN, (6, 15), ("rel", 0.4, 0.7))  # fmt: skip
KR_LEAD_TIME = _kr("Lead time for changes from {start} days to {target}", "days", DOWN, (4, 10), ("rel", 0.4, 0.7), 1)  # fmt: skip
KR_DEPLOYS = _kr("Deploys per week from {start} to {target}", "deploys", UP, (2, 6), ("rel", 0.8, 2.0))  # fmt: skip
KR_BUGS = _kr("Escaped bugs per month from {start} to {target}", "bugs", DOWN, (8, 20), ("rel", 0.4, 0.7))  # fmt: skip
KR_COVERAGE = _kr("Test coverage from {start}% to {target}%", "%", UP, (45, 65), ("abs", 8, 20), 1)  # fmt: skip
KR_ADOPTION = _kr("Teams on the paved road from {start} to {target}", "teams", UP, (3, 12), ("rel", 0.5, 1.5))  # fmt: skip
KR_RESEARCH = _kr("Hold {target} research sessions with customers", "sessions", UP, (0, 0), ("count", 6, 16))  # fmt: skip
KR_DASHBOARDS = _kr("Products with a trusted dashboard from {start} to {target}", "products", UP, (2, 6), ("rel", 0.5, 1.5))  # fmt: skip
KR_PERSONAL_SESSIONS = _kr("Lead {target} discovery interviews myself", "interviews", UP, (0, 0), ("count", 5, 12))  # fmt: skip
KR_COURSE = _kr("Finish {target} modules of the SQL for PMs course", "modules", UP, (0, 0), ("count", 6, 10))  # fmt: skip
KR_REVIEWS = _kr("Present at {target} product reviews", "reviews", UP, (0, 0), ("count", 2, 4))  # fmt: skip
KR_MENTORING = _kr("Hold {target} mentoring sessions", "sessions", UP, (0, 0), ("count", 6, 12))  # fmt: skip
KR_MEMOS = _kr("Write {target} decision memos", "memos", UP, (0, 0), ("count", 3, 6))

KR_BY_GOAL_KIND = {
    "company": (KR_REVENUE, KR_NPS, KR_WAU, KR_MARGIN, KR_UPTIME, KR_TIME_TO_VALUE),
    "unit": (
        KR_WAU, KR_ACTIVATION, KR_RETENTION, KR_REVENUE, KR_CONVERSION, KR_TICKETS,
        KR_INCIDENTS, KR_LEAD_TIME, KR_NPS,
    ),
    "discovery": (KR_INTERVIEWS, KR_EXPERIMENTS, KR_RESEARCH),
    "launch": (KR_ACTIVATION, KR_WAU, KR_TICKETS, KR_TIME_TO_VALUE),
    "pmf": (KR_RETENTION, KR_NPS, KR_ACTIVATION, KR_EXPERIMENTS),
    "growth": (KR_WAU, KR_REVENUE, KR_CONVERSION, KR_RETENTION),
    "maturity": (KR_MARGIN, KR_REVENUE, KR_TICKETS, KR_LATENCY, KR_UPTIME),
    "sunset": (KR_MIGRATION, KR_ACTIVE_CUSTOMERS, KR_TICKETS),
    "retired": (KR_MIGRATION, KR_ACTIVE_CUSTOMERS),
    "product_team": (KR_DEPLOYS, KR_BUGS, KR_LATENCY, KR_CONVERSION, KR_EXPERIMENTS),
    "platform_team": (KR_ADOPTION, KR_INCIDENTS, KR_LEAD_TIME, KR_UPTIME, KR_COVERAGE),
    "design_team": (KR_RESEARCH, KR_ACTIVATION, KR_NPS),
    "data_team": (KR_DASHBOARDS, KR_EXPERIMENTS, KR_LEAD_TIME),
    "individual": (
        KR_PERSONAL_SESSIONS, KR_COURSE, KR_REVIEWS, KR_MENTORING, KR_MEMOS,
    ),
}  # fmt: skip

# Definitions of the metrics that stage policies expect and key results follow:
# key: (name, unit, aggregation, direction, description).
METRICS = {
    "customer_interviews": ("Customer interviews", "interviews", "sum", "higher", "Problem or solution interviews held with customers."),
    "experiments_run": ("Experiments run", "experiments", "sum", "higher", "Experiments started, whatever their outcome."),
    "activation_rate": ("Activation rate", "%", "average", "higher", "Share of new accounts reaching the first moment of value within 7 days."),
    "weekly_active_users": ("Weekly active users", "users", "last", "higher", "Distinct users active in the last 7 days."),
    "retention_d30": ("Day-30 retention", "%", "average", "higher", "Share of a cohort still active 30 days after signing up."),
    "nps": ("Net Promoter Score", "", "average", "higher", "Promoters minus detractors, from the in-product survey."),
    "revenue": ("Revenue", "EUR", "sum", "higher", "Recognised revenue."),
    "gross_margin": ("Gross margin", "%", "average", "higher", "Revenue less the cost of serving it, as a share of revenue."),
    "active_customers": ("Active customers", "customers", "last", "higher", "Customers with at least one active user this month."),
    "migration_rate": ("Migration rate", "%", "last", "higher", "Share of customers moved to the successor product."),
    "conversion_rate": ("Conversion rate", "%", "average", "higher", "Share of sessions that end in a purchase or an upgrade."),
    "availability": ("Availability", "%", "average", "higher", "Share of minutes the product answered within its objective."),
}  # fmt: skip

# --- Check-ins and roadmaps ---------------------------------------------------------------
CHECK_IN_NOTES = {
    "good": (
        "Steady week; the new onboarding step is paying off.",
        "Ahead of plan after the experiment won.",
        "On track; nothing blocking.",
        "Good progress, the release went out on Tuesday.",
    ),
    "bad": (
        "Blocked on the data pipeline; escalated.",
        "Two engineers out this week; slipping.",
        "The experiment lost; rethinking the approach.",
        "Waiting on legal review before we can ship.",
        "Dependency on the platform team moved to next quarter.",
    ),
}
INITIATIVES = (
    "Self-serve onboarding checklist", "Usage-based pricing", "Bulk import from spreadsheets",
    "SSO with SAML", "Offline mode", "Smart recommendations", "Audit log export",
    "Public API v2", "Accessibility fixes from the audit", "Faster search results",
    "Mobile push notifications", "Saved carts", "Two-factor authentication",
    "Multi-currency prices", "Webhooks for partners", "Redesigned settings",
    "In-app guides", "Role-based permissions", "Data export to BI tools", "Dark mode",
    "Invoices in local languages", "Fraud rules editor", "Status page integration",
    "One-click upgrades", "Referral rewards", "Customer health score",
    "Inventory sync", "Returns portal", "Performance budget in CI", "Usage alerts",
)  # fmt: skip
SUNSET_INITIATIVES = (
    "Migration assistant to the successor",
    "Read-only mode for remaining customers",
    "Data export for departing customers",
    "Switch-off plan and communications",
)
