"""The default job ladder seeded into a new installation (HR edits it afterwards)."""

from __future__ import annotations

HR_ADMIN_GROUP_NAME = "HR admins"

DEFAULT_LADDER = [
    (
        "Chief Product Officer",
        "management",
        90,
        "Owns the product vision and strategy of the whole company and leads the product organisation.",
    ),
    (
        "VP of Product",
        "management",
        80,
        "Leads product for a large business area; builds the leadership bench under them.",
    ),
    (
        "Director of Product",
        "management",
        70,
        "Leads a group of product teams; owns a portfolio's strategy, goals and hiring.",
    ),
    (
        "Head of Product",
        "management",
        65,
        "Leads product for a business unit or product line; manages PMs and stakeholders.",
    ),
    (
        "Group Product Manager",
        "management",
        60,
        "Manages a small group of PMs while owning a product area.",
    ),
    (
        "Principal Product Manager",
        "individual",
        60,
        "Senior individual contributor shaping strategy across teams.",
    ),
    ("Senior Product Manager", "individual", 50, "Owns a product end to end with little guidance."),
    (
        "Product Manager",
        "individual",
        40,
        "Owns a product or feature area's discovery, roadmap and delivery.",
    ),
    (
        "Associate Product Manager",
        "individual",
        30,
        "Learns the craft on a scoped area with a mentor.",
    ),
]


def seed_default_ladder(*, role_model, group_model) -> None:
    """Create the default product ladder and the HR admins group where missing.

    Takes the model classes so a data migration can pass its historical models.
    """
    for name, track, level, summary in DEFAULT_LADDER:
        role_model.objects.get_or_create(
            name=name,
            defaults={"family": "product", "track": track, "level": level, "summary": summary},
        )
    group_model.objects.get_or_create(name=HR_ADMIN_GROUP_NAME)


# The areas a product organisation must own (DESIGN: ResponsibilityArea), in display order.
DEFAULT_RESPONSIBILITY_AREAS = [
    ("product-vision", "Product vision"),
    ("strategy", "Strategy"),
    ("roadmap", "Roadmap"),
    ("goal-setting", "Goal setting"),
    ("product-performance", "Product performance"),
    ("stakeholder-management", "Stakeholder management"),
    ("cross-functional-alignment", "Cross-functional alignment"),
    ("hiring", "Hiring"),
    ("mentoring", "Mentoring and career development"),
    ("budgeting", "Budgeting"),
    ("portfolio-lifecycle", "Portfolio and lifecycle decisions"),
]

# Default RACI of the default ladder: role name -> {area key: letter}. Areas left out
# are neither owned nor consulted by that rung. HR edits all of it afterwards.
DEFAULT_RACI = {
    "Chief Product Officer": {
        "product-vision": "A",
        "strategy": "A",
        "roadmap": "I",
        "goal-setting": "A",
        "product-performance": "A",
        "stakeholder-management": "C",
        "hiring": "A",
        "budgeting": "A",
        "portfolio-lifecycle": "A",
        "mentoring": "R",
    },
    "VP of Product": {
        "product-vision": "R",
        "strategy": "R",
        "goal-setting": "R",
        "hiring": "A",
        "budgeting": "R",
        "portfolio-lifecycle": "R",
        "mentoring": "R",
        "cross-functional-alignment": "A",
    },
    "Director of Product": {
        "strategy": "R",
        "roadmap": "A",
        "goal-setting": "R",
        "product-performance": "R",
        "hiring": "R",
        "mentoring": "R",
        "budgeting": "C",
        "portfolio-lifecycle": "R",
        "cross-functional-alignment": "R",
    },
    "Head of Product": {
        "strategy": "R",
        "roadmap": "A",
        "goal-setting": "R",
        "product-performance": "R",
        "stakeholder-management": "A",
        "hiring": "R",
        "mentoring": "R",
        "cross-functional-alignment": "R",
        "budgeting": "C",
    },
    "Group Product Manager": {
        "roadmap": "A",
        "goal-setting": "R",
        "product-performance": "R",
        "stakeholder-management": "R",
        "hiring": "R",
        "mentoring": "R",
    },
    "Principal Product Manager": {
        "product-vision": "C",
        "strategy": "R",
        "roadmap": "R",
        "product-performance": "R",
        "cross-functional-alignment": "R",
        "mentoring": "C",
    },
    "Senior Product Manager": {
        "roadmap": "R",
        "goal-setting": "R",
        "product-performance": "R",
        "stakeholder-management": "R",
        "cross-functional-alignment": "R",
    },
    "Product Manager": {
        "roadmap": "R",
        "goal-setting": "C",
        "product-performance": "R",
        "stakeholder-management": "R",
    },
    "Associate Product Manager": {"roadmap": "C", "product-performance": "I"},
}


def seed_default_responsibilities(*, area_model, role_model, raci_model) -> None:
    """Create the default responsibility areas and the default ladder's RACI where missing.

    Takes the model classes so a data migration can pass its historical models.
    """
    areas = {}
    for position, (key, name) in enumerate(DEFAULT_RESPONSIBILITY_AREAS):
        areas[key], _ = area_model.objects.get_or_create(
            key=key, defaults={"name": name, "position": position}
        )
    roles = role_model.objects.in_bulk(list(DEFAULT_RACI), field_name="name")
    for role_name, letters in DEFAULT_RACI.items():
        role = roles.get(role_name)
        if role is None:
            continue
        for key, letter in letters.items():
            raci_model.objects.get_or_create(role=role, area=areas[key], defaults={"raci": letter})
