"""Pages of strategy and goals: the alignment tree and its CSV export (``tree``), a person's
goals, check-ins and the goal page (``goals``), the products list and page (``products``).

Who sees what (DESIGN.md): products, roadmaps and public goals are visible to every
signed-in member; a private goal only to its owner, their management chain and HR admins
— every goal read goes through the visibility selectors, so a private goal never shows on
a page, in a filter choice or in the export of anyone else, and its page answers 404. A
visible goal or product the viewer may not change answers 403 to a write.

Views only parse input, call selectors and services and render. Each page runs a fixed
number of queries whatever the number of goals or check-ins
(tests/pages_roadmaps/test_query_counts.py). Every form works as a plain POST with a
redirect; htmx enhances the check-in (the key result and its goal update in place).
Validation errors come back inline: 400 for a full page, 422 for an htmx fragment
(static/js/app.js lets htmx swap a 422 in).
"""
