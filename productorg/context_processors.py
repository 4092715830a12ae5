"""Template context shared by every page."""

from roles.selectors import person_for_user, user_is_hr_admin
from stakeholders.selectors import notification_unread_count


def current_person(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_person": person_for_user(user=user),
        "is_hr_admin": user_is_hr_admin(user=user),
        # The bell's number: one COUNT, only when a template shows it.
        "unread_notifications": lambda: notification_unread_count(user=user),
    }
