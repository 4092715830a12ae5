"""Health snapshots and leaders' stored reports in the HR admin: read-only.

Both are written only by ``health.services`` (nightly and on demand); nobody adds,
edits or deletes them by hand, so the trend stays what was measured.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from roles.admin import HRAdminOnly

from .models import FindingKind, HealthSnapshot, LeaderHealthReport


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(HRAdminOnly, admin.ModelAdmin):
    """A leader's daily alignment health: score, and per kind what was checked and failed."""

    list_display = ("taken_on", "leader", "score", "computed_at")
    list_select_related = ("leader",)
    list_filter = ("taken_on",)
    search_fields = ("leader__full_name", "leader__email")
    date_hierarchy = "taken_on"
    ordering = ("-taken_on", "leader__full_name")
    fields = ("leader", "taken_on", "score", "computed_at", "breakdown_table")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="breakdown")
    def breakdown_table(self, snapshot: HealthSnapshot | LeaderHealthReport) -> str:
        rows = []
        for kind in FindingKind:
            entry = (snapshot.breakdown or {}).get(kind.value)
            if entry is None:
                continue
            rows.append(
                (
                    kind.label,
                    entry.get("checked", 0),
                    entry.get("failing", 0),
                    entry.get("weight", ""),
                    entry.get("penalty", 0),
                )
            )
        if not rows:
            return "—"
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rows,
        )
        return format_html(
            "<table><thead><tr><th scope='col'>Kind</th><th scope='col'>Checked</th>"
            "<th scope='col'>Failing</th><th scope='col'>Weight</th>"
            "<th scope='col'>Points lost</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )


@admin.register(LeaderHealthReport)
class LeaderHealthReportAdmin(HealthSnapshotAdmin):
    """A leader's latest stored health: what their dashboard shows, and when it was
    computed (findings are listed on the dashboard, masked for each viewer)."""

    list_display = ("leader", "score", "computed_at", "refresh_claimed_at")
    list_filter = ()
    date_hierarchy = "computed_at"
    ordering = ("leader__full_name",)
    fields = (
        "leader",
        "score",
        "computed_at",
        "refresh_claimed_at",
        "findings_kept",
        "breakdown_table",
    )
    readonly_fields = fields

    @admin.display(description="findings kept")
    def findings_kept(self, report: LeaderHealthReport) -> str:
        return f"{len(report.findings or [])} (at most {report.limit_per_kind} of each kind)"
