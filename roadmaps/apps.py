from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    """Strategy, goals, products and metrics."""

    name = "roadmaps"
