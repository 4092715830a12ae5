"""API permissions: members read what the design lets every member see; HR admins write."""

from rest_framework import permissions

from roles.selectors import user_is_hr_admin


class IsMemberReadOnlyOrHRAdmin(permissions.BasePermission):
    """Signed-in members read; only HR admins create, change and delete."""

    message = "Only HR admins may change the organisation."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return user_is_hr_admin(user=request.user)
