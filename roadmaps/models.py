"""Strategy, goals, products and metrics (models arrive with the goals capability)."""
