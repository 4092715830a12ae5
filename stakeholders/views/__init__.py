"""Pages of stakeholders, reviews, decisions and notifications (server-rendered, htmx).

Views only parse input, call a selector or a service, and render. Visibility is the
selectors' (``stakeholders.selectors``): an object a viewer may not see answers 404, an
action on a visible object they may not take answers 403. Every list page runs a fixed
number of queries whatever the number of rows (tests/pages_stakeholders).
"""
