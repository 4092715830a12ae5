"""The admin site, kept for HR: only HR admins (and superusers) may enter it.

DESIGN.md gives the admin to HR for setting up the organisation, and seat costs in it
are private to HR. Staff status alone is therefore not enough to get in, and an HR
admin needs no staff flag: membership of the HR admins group is what counts.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .selectors import user_is_hr_admin


class HRAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin sign-in form, letting in HR admins instead of staff."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password of an HR admin account. "
            "Note that both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active accounts only
        if not user_is_hr_admin(user=user):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class HRAdminSite(admin.AdminSite):
    """The default admin site, open to HR admins and superusers only."""

    login_form = HRAdminAuthenticationForm

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_is_hr_admin(user=request.user)
