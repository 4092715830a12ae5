"""Stakeholders, alignment and reviews (models arrive with the stakeholders capability)."""
