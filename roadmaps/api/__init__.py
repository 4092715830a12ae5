"""REST API of strategy and goals: products, periods, visions, goals, goal links, key
results, check-ins and roadmap items.

Thin, like ``roles.api``: lists and lookups come from ``roadmaps.selectors`` (where
goal visibility is decided), filters from ``roadmaps.filters`` (shared with the pages),
and every write goes through ``roadmaps.services``. Serializers are in
:mod:`.serializers`, viewsets in :mod:`.views`.
"""
