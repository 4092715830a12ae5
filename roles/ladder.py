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
