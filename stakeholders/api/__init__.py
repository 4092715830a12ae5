"""REST API of stakeholders, alignment, reviews, decisions and notifications.

Thin, like ``roadmaps.api``: lists and lookups come from ``stakeholders.selectors``
(where visibility and rights are decided), filters from ``stakeholders.filters``
(shared with the pages), and every write goes through ``stakeholders.services``.
Serializers are in :mod:`.serializers`, viewsets in :mod:`.views`.
"""
