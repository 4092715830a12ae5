"""Pages of stakeholders, reviews, decisions, notifications and the calendar feed."""

from django.urls import path

from .views import decisions, feed, notifications, reviews, stakeholder_map

urlpatterns = [
    path("stakeholders/map/", stakeholder_map.stakeholder_map, name="stakeholder-map"),
    path(
        "stakeholders/alignments/<int:alignment_id>/confirm/",
        stakeholder_map.alignment_confirm_view,
        name="alignment-confirm",
    ),
    path("reviews/", reviews.review_index, name="reviews"),
    path("reviews/calendar/", reviews.review_calendar, name="reviews-calendar"),
    path("reviews/<int:review_id>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:review_id>/complete/", reviews.review_complete_view, name="review-complete"),
    path("misses/", reviews.misses, name="misses"),
    path("decisions/", decisions.decision_index, name="decisions"),
    path("decisions/<int:decision_id>/", decisions.decision_detail, name="decision-detail"),
    path("notifications/", notifications.notification_index, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("account/calendar/", feed.calendar_feed_settings, name="calendar-feed-settings"),
    path(
        "account/calendar/revoke/",
        feed.calendar_feed_revoke_view,
        name="calendar-feed-revoke",
    ),
    path("calendar/<str:secret>.ics", feed.calendar_feed, name="calendar-feed"),
]
