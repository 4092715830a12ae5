"""What the strategy admins share: service refusals shown on forms, read-only inlines,
and a text box for lists."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from productorg.errors import ApplicationError
from roles.admin import HRAdminOnly, ServiceModelAdmin


class RefusalFormMixin:
    """Shows the service's refusal of the last save attempt as this form's errors.

    ``refusal`` is set per request (see :meth:`ServiceFormsAdmin.changeform_view`); it
    belongs to the form whose prefix it carries (``None``: the main form).
    """

    refusal: ApplicationError | None = None

    def clean(self):
        cleaned = super().clean()
        exc = self.refusal
        if exc is not None and getattr(exc, "form_prefix", None) == self.prefix:
            for name, errors in (exc.field_errors or {None: [exc.message]}).items():
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


def with_refusal(form_class: type[forms.BaseForm], request) -> type[forms.BaseForm]:
    refusal = getattr(request, "_service_refusal", None)
    return type(form_class.__name__, (RefusalFormMixin, form_class), {"refusal": refusal})


class ServiceFormsAdmin(ServiceModelAdmin):
    """:class:`roles.admin.ServiceModelAdmin` whose refusals become form errors.

    The first attempt runs in a transaction; if a service refuses, everything is rolled
    back and the page is built again from the same POST, the refusal added to the form
    (or inline form) it came from, so the user sees it where they typed. Should the
    refusal fit no form, it is shown as a message instead.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_refusal(super().get_form(request, obj, change, **kwargs), request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # ServiceModelAdmin's own view turns refusals into messages: go one step past it.
        view = super(ServiceModelAdmin, self).changeform_view
        try:
            with transaction.atomic():
                return view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            request._service_refusal = exc
        return self._refusing(view, request, object_id, form_url, extra_context)

    def has_export_permission(self, request) -> bool:
        # Only models with an export of their own (named columns, not raw ids).
        return bool(self.resource_classes) and super().has_export_permission(request)


class ReadOnlyInline(HRAdminOnly, admin.TabularInline):
    """An inline HR admins see but cannot change here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def admin_link(obj, text=None) -> str:
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or obj)


class ListField(forms.CharField):
    """A list of texts in a text box: one per line, or (``separator=","``) comma-separated."""

    def __init__(self, *args, separator: str = "\n", **kwargs):
        self.separator = separator
        kwargs.setdefault("required", False)
        if separator == "\n":
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ("\n" if self.separator == "\n" else ", ").join(str(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        parts = text.splitlines() if self.separator == "\n" else text.split(self.separator)
        return [part.strip() for part in parts if part.strip()]
