"""A CSV file of metric readings, uploaded in the admin or on a product page.

The form only parses the request; reading the CSV and writing the readings is
``roadmaps.observations`` (all or nothing, idempotent), the same service the bulk API
uses, so a file behaves the same wherever it is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from productorg.errors import ApplicationError

from .observations import CSV_COLUMNS, observations_ingest, observations_parse_csv

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A file with thousands of bad rows lists the first ones; the count says how many more.
SHOWN_ROW_ERRORS = 100


@dataclass
class UploadOutcome:
    """What an upload did (``created``/``updated``/``unchanged``) or why it wrote nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    row_errors: list[dict] = field(default_factory=list)
    hidden_row_errors: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.total:,} reading{'s' if self.total != 1 else ''} uploaded: "
            f"{self.created:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged."
        )


def row_error_lines(row_errors: list[dict]) -> list[dict]:
    """``[{"row": 3, "errors": {"value": ["…"]}}]`` → one line per row and field, in row order."""
    lines = []
    for entry in sorted(row_errors, key=lambda e: e.get("row") or 0):
        for name, messages in (entry.get("errors") or {}).items():
            for message in messages:
                lines.append({"row": entry.get("row"), "field": name, "message": str(message)})
    return lines


class MetricUploadForm(forms.Form):
    """A UTF-8 CSV of readings (header ``metric,product,timestamp,value,source``)."""

    file = forms.FileField(
        label="Readings (CSV)",
        help_text=(
            "UTF-8 CSV with the header row "
            + ",".join(CSV_COLUMNS)
            + ". Timestamps in ISO 8601 (2026-05-04T09:00:00Z); up to 10,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload."},
    )
    source = forms.CharField(
        label="Source",
        max_length=100,
        required=False,
        help_text="Used for rows whose source column is empty, e.g. “warehouse”.",
    )

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        # On a product page every row must be that product's: checked before writing.
        self.product = product
        self.outcome: UploadOutcome | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: split it."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload

    def _refuse(self, exc: ApplicationError) -> None:
        row_errors = list(getattr(exc, "row_errors", None) or [])
        if row_errors:
            self.outcome = UploadOutcome(
                row_errors=row_errors[:SHOWN_ROW_ERRORS],
                hidden_row_errors=max(len(row_errors) - SHOWN_ROW_ERRORS, 0),
            )
            bad = len(row_errors)
            self.add_error(
                "file",
                f"{bad:,} row{'s' if bad != 1 else ''} of the file "
                f"{'have' if bad != 1 else 'has'} errors: nothing was saved. "
                "Correct them and upload the file again.",
            )
            return
        for name, messages in (exc.field_errors or {"file": [exc.message]}).items():
            for message in messages:
                self.add_error(name if name in self.fields else "file", message)

    def _foreign_rows(self, rows: list[dict]) -> list[dict]:
        """Rows naming another product than the page's (by slug or id)."""
        product = self.product
        allowed = {product.slug, str(product.pk)}
        return [
            {"row": n, "errors": {"product": [f"Only readings of {product.name} belong here."]}}
            for n, row in enumerate(rows, start=1)
            if str(row.get("product") or "").strip() not in allowed
        ]

    def save(self, *, acting_user) -> UploadOutcome | None:
        """Parse and ingest the file; the outcome, or ``None`` with the errors on the form."""
        upload = self.cleaned_data["file"]
        try:
            rows = observations_parse_csv(file=upload)
            if self.product is not None:
                foreign = self._foreign_rows(rows)
                if foreign:
                    error = ApplicationError("Some rows name another product.")
                    error.row_errors = foreign
                    raise error
            result = observations_ingest(
                rows=rows, default_source=self.cleaned_data["source"], acting_user=acting_user
            )
        except ApplicationError as exc:
            self._refuse(exc)
            return None
        self.outcome = UploadOutcome(
            created=result.created, updated=result.updated, unchanged=result.unchanged
        )
        return self.outcome
