"""The HR admin: set up the organisation, read its history, export it, import people.

Only HR admins and superusers get into the admin at all (``roles.admin_site``), and the
organisation's models answer only to them. Every save and delete goes through
``roles.services``. A broken rule that can be foreseen (a reporting cycle, a unit
nested in itself) is a form error on its field; one the service finds only while
writing is a message on the page — never a server error.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from productorg.errors import ApplicationError

from . import responsibilities, services
from .imports import COLUMNS, import_job_create
from .models import (
    BusinessUnit,
    ImportJob,
    Person,
    Position,
    ResponsibilityArea,
    Role,
    RoleResponsibility,
    Team,
)
from .resources import (
    BusinessUnitResource,
    PersonResource,
    PositionResource,
    RoleResource,
    TeamResource,
)
from .selectors import business_unit_subtree, user_is_hr_admin

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class HRAdminOnly:
    """The organisation's set-up (seat costs included) answers to HR admins only.

    HR admins need no Django model permissions: the group is the permission.
    """

    def _is_hr(self, request) -> bool:
        return user_is_hr_admin(user=request.user)

    def has_module_permission(self, request) -> bool:
        return self._is_hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_hr(request)

    def has_add_permission(self, request) -> bool:
        return self._is_hr(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_hr(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_hr(request)

    def has_export_permission(self, request) -> bool:
        return self._is_hr(request)


def _refusal_text(exc: ApplicationError) -> str:
    details = [m for messages_ in exc.field_errors.values() for m in messages_]
    return " ".join(dict.fromkeys([exc.message, *details]))


class ServiceModelAdmin(HRAdminOnly, ExportMixin, SimpleHistoryAdmin):
    """Saves and deletes through the domain services, with history and CSV/XLSX export.

    Subclasses name their create, update and delete services, and the keyword the
    update and delete services take the instance by.
    """

    create_service = None
    update_service = None
    delete_service = None
    instance_kwarg = ""
    formats = [base_formats.CSV, base_formats.XLSX]
    # The export's columns are a contract (the people export is the import's format):
    # no per-download picking of columns.
    export_form_class = ExportForm
    list_per_page = 100

    def _model_fields(self, form) -> dict:
        names = {f.name for f in self.model._meta.concrete_fields if not f.primary_key}
        return {k: v for k, v in form.cleaned_data.items() if k in names}

    def save_model(self, request, obj, form, change) -> None:
        fields = self._model_fields(form)
        if change:
            # The service gets the row as stored, so that it sees what really changes
            # (a move under another manager, another parent unit) and checks it.
            current = self.model._default_manager.get(pk=obj.pk)
            self.update_service(
                **{self.instance_kwarg: current}, acting_user=request.user, **fields
            )
        else:
            saved = self.create_service(acting_user=request.user, **fields)
            obj.pk = saved.pk
            obj._state.adding = False
            obj._state.db = saved._state.db

    def delete_model(self, request, obj) -> None:
        self.delete_service(**{self.instance_kwarg: obj}, acting_user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def _refusing(self, view, request, *args, **kwargs):
        """Run an admin view; a rule the service refuses undoes its writes and is shown."""
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except ApplicationError as exc:
            self.message_user(request, _refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing(super().changeform_view, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._refusing(super().changelist_view, request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusing(super().delete_view, request, object_id, extra_context)


# --- people -----------------------------------------------------------------------------


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = (
            "full_name",
            "email",
            "title",
            "role",
            "is_active",
            "manager",
            "team",
            "business_unit",
            "location",
            "start_date",
            "user",
        )

    def clean(self):
        cleaned = super().clean()
        manager = cleaned.get("manager")
        if self.instance.pk is not None and "manager" in cleaned:
            try:
                services.check_manager_allowed(person=self.instance, manager=manager)
            except ApplicationError as exc:
                for message in exc.field_errors.get("manager", [exc.message]):
                    self.add_error("manager", message)
        return cleaned


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="HR export (CSV)",
        help_text="UTF-8 CSV with a header row: " + ", ".join(COLUMNS) + ".",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”."
            ) from exc
        if not text.strip():
            raise forms.ValidationError("The file is empty.")
        self.file_name = upload.name
        return text


@admin.register(Person)
class PersonAdmin(ServiceModelAdmin):
    form = PersonAdminForm
    create_service = staticmethod(services.person_create)
    update_service = staticmethod(services.person_update)
    delete_service = staticmethod(services.person_delete)
    instance_kwarg = "person"
    resource_classes = [PersonResource]
    change_list_template = "admin/roles/person/change_list.html"

    list_display = (
        "full_name",
        "email",
        "title",
        "role",
        "manager",
        "team",
        "business_unit",
        "location",
        "is_active",
    )
    list_select_related = ("role", "manager", "team", "business_unit")
    list_filter = ("is_active", "role", "business_unit")
    search_fields = ("full_name", "email", "title", "location", "team__name")
    autocomplete_fields = ("role", "manager", "team", "business_unit")
    raw_id_fields = ("user",)
    ordering = ("full_name",)
    fieldsets = (
        (None, {"fields": ("full_name", "email", "title", "role", "is_active")}),
        ("Place in the organisation", {"fields": ("manager", "team", "business_unit")}),
        ("Details", {"fields": ("location", "start_date", "user")}),
    )
    history_list_display = ("manager", "role", "title", "team")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=f"{prefix}_people_import"),
            path(
                "import/<int:job_id>/",
                wrap(self.import_job_view),
                name=f"{prefix}_import_job",
            ),
            path(
                "import/<int:job_id>/progress/",
                wrap(self.import_job_progress_view),
                name=f"{prefix}_import_job_progress",
            ),
            *super().get_urls(),
        ]

    def _import_context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "columns": COLUMNS,
            **extra,
        }

    def import_view(self, request):
        """Upload an HR export; a worker imports it and the job page follows it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PeopleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = import_job_create(
                file_name=form.file_name,
                content=form.cleaned_data["file"],
                acting_user=request.user,
            )
            return redirect("admin:roles_person_import_job", job_id=job.pk)
        recent = ImportJob.objects.select_related("created_by").defer("content")[:10]
        context = self._import_context(
            request, title="Import people from an HR export", form=form, recent_jobs=recent
        )
        return TemplateResponse(request, "admin/roles/person/import.html", context)

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            ImportJob.objects.select_related("created_by").defer("content"), pk=job_id
        )

    def import_job_view(self, request, job_id: int):
        job = self._job(request, job_id)
        context = self._import_context(request, title=f"Import of {job.file_name}", job=job)
        return TemplateResponse(request, "admin/roles/person/import_job.html", context)

    def import_job_progress_view(self, request, job_id: int):
        """The progress fragment the job page polls (htmx, every second)."""
        job = self._job(request, job_id)
        context = self._import_context(request, job=job)
        return TemplateResponse(request, "admin/roles/person/import_job_progress.html", context)


# --- units, teams, the ladder, seats ----------------------------------------------------


class BusinessUnitAdminForm(forms.ModelForm):
    class Meta:
        model = BusinessUnit
        fields = ("name", "slug", "parent", "leader")

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        unit = self.instance
        if parent is not None and unit.pk is not None:
            # The same rule business_unit_set_parent enforces under a lock when saving.
            if parent.pk == unit.pk:
                self.add_error("parent", f"{unit.name} cannot contain itself.")
            elif business_unit_subtree(root=unit).filter(pk=parent.pk).exists():
                self.add_error(
                    "parent", f"{parent.name} is inside {unit.name}; nesting would form a cycle."
                )
        return cleaned


@admin.register(BusinessUnit)
class BusinessUnitAdmin(ServiceModelAdmin):
    form = BusinessUnitAdminForm
    create_service = staticmethod(services.business_unit_create)
    update_service = staticmethod(services.business_unit_update)
    delete_service = staticmethod(services.business_unit_delete)
    instance_kwarg = "unit"
    resource_classes = [BusinessUnitResource]

    list_display = ("name", "slug", "parent", "leader")
    list_select_related = ("parent", "leader")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent", "leader")
    prepopulated_fields = {"slug": ("name",)}
    history_list_display = ("parent", "leader")


@admin.register(Team)
class TeamAdmin(ServiceModelAdmin):
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)
    delete_service = staticmethod(services.team_delete)
    instance_kwarg = "team"
    resource_classes = [TeamResource]

    list_display = ("name", "business_unit", "kind", "lead")
    list_select_related = ("business_unit", "lead")
    list_filter = ("kind", ("business_unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "business_unit__name")
    autocomplete_fields = ("business_unit", "lead")
    history_list_display = ("business_unit", "lead")


class RaciInline(HRAdminOnly, admin.TabularInline):
    """RACI letters (responsible, accountable, consulted, informed) of the ladder."""

    model = RoleResponsibility
    extra = 0
    verbose_name = "RACI entry"
    verbose_name_plural = "RACI: what each rung does for each area"

    def has_add_permission(self, request, obj=None) -> bool:  # inlines also take the parent
        return self._is_hr(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A plain choice of role or area: no add / change / view buttons on every row.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.is_relation:
            for flag in ("can_add_related", "can_change_related", "can_view_related"):
                setattr(field.widget, flag, False)
        return field


class RoleRaciInline(RaciInline):
    fields = ("area", "raci")
    ordering = ("area__position", "area__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area", "role")


class AreaRaciInline(RaciInline):
    fields = ("role", "raci")
    autocomplete_fields = ("role",)
    ordering = ("role__family", "-role__level", "role__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area", "role")


class RaciThroughServices:
    """Saves the RACI inline entry by entry through ``roles.responsibilities``."""

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not RoleResponsibility:
            super().save_formset(request, form, formset, change)
            return
        acting_user = request.user
        instances = formset.save(commit=False)
        for entry in formset.deleted_objects:
            responsibilities.role_responsibility_delete(
                responsibility=entry, acting_user=acting_user
            )
        for entry in instances:
            fields = {"role": entry.role, "area": entry.area, "raci": entry.raci}
            if entry.pk is None:
                responsibilities.role_responsibility_create(acting_user=acting_user, **fields)
            else:
                responsibilities.role_responsibility_update(
                    responsibility=entry, acting_user=acting_user, **fields
                )


@admin.register(Role)
class RoleAdmin(RaciThroughServices, ServiceModelAdmin):
    create_service = staticmethod(services.role_create)
    update_service = staticmethod(services.role_update)
    delete_service = staticmethod(services.role_delete)
    instance_kwarg = "role"
    resource_classes = [RoleResource]

    list_display = ("name", "family", "track", "level")
    # Whether a Head of Product sits above a Director differs between companies: HR
    # reorders the ladder right in the list.
    list_editable = ("level",)
    list_filter = ("family", "track")
    search_fields = ("name",)
    ordering = ("family", "-level", "name")
    history_list_display = ("level",)
    inlines = [RoleRaciInline]


@admin.register(ResponsibilityArea)
class ResponsibilityAreaAdmin(RaciThroughServices, HRAdminOnly, admin.ModelAdmin):
    """What the organisation must own, in display order, with each rung's RACI letter."""

    inlines = [AreaRaciInline]
    list_display = ("name", "key", "position", "accountable")
    list_editable = ("position",)
    search_fields = ("name", "key", "description")
    ordering = ("position", "name")
    fields = ("name", "key", "position", "description")
    prepopulated_fields = {"key": ("name",)}

    def get_queryset(self, request):
        accountable = RoleResponsibility.objects.filter(raci=RoleResponsibility.Raci.ACCOUNTABLE)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "role_responsibilities",
                    queryset=accountable.select_related("role"),
                    to_attr="accountable_entries",
                )
            )
        )

    @admin.display(description="accountable")
    def accountable(self, area: ResponsibilityArea) -> str:
        return ", ".join(e.role.name for e in area.accountable_entries) or "—"

    def save_model(self, request, obj, form, change) -> None:
        fields = {
            name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data
        }
        if change:
            current = ResponsibilityArea.objects.get(pk=obj.pk)
            responsibilities.responsibility_area_update(
                area=current, acting_user=request.user, **fields
            )
        else:
            saved = responsibilities.responsibility_area_create(acting_user=request.user, **fields)
            obj.pk = saved.pk
            obj._state.adding = False

    def delete_model(self, request, obj) -> None:
        responsibilities.responsibility_area_delete(area=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for area in queryset:
            self.delete_model(request, area)


@admin.register(Position)
class PositionAdmin(ServiceModelAdmin):
    create_service = staticmethod(services.position_create)
    update_service = staticmethod(services.position_update)
    delete_service = staticmethod(services.position_delete)
    instance_kwarg = "position"
    resource_classes = [PositionResource]

    list_display = (
        "seat",
        "role",
        "team",
        "status",
        "holder",
        "reports_to",
        "budgeted_annual_cost",
        "currency",
    )
    list_select_related = ("role", "team", "holder", "reports_to")
    list_filter = ("status", "role", ("team__business_unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "role__name", "team__name", "holder__full_name", "holder__email")
    autocomplete_fields = ("role", "team", "reports_to", "reports_to_position", "holder")
    history_list_display = ("status", "holder", "budgeted_annual_cost")

    def get_queryset(self, request):
        # A seat is named after its role unless titled, so autocomplete lists need the
        # role too. (A queryset that already selects related rows makes the changelist
        # skip list_select_related, hence all of them here.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="seat", ordering="title")
    def seat(self, obj: Position) -> str:
        return obj.display_title


# --- import jobs ------------------------------------------------------------------------


@admin.register(ImportJob)
class ImportJobAdmin(HRAdminOnly, admin.ModelAdmin):
    """Past and running imports; each opens its progress and result page."""

    list_display = (
        "created_at",
        "job_page",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "created_by",
    )
    list_select_related = ("created_by",)
    list_filter = ("status",)
    search_fields = ("file_name",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:roles_person_import_job", job_id=object_id)

    @admin.display(description="file", ordering="file_name")
    def job_page(self, job: ImportJob) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:roles_person_import_job", args=[job.pk]),
            job.file_name,
        )
