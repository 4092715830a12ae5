"""Forms of the stakeholder, review and notification pages (input parsing only)."""

from __future__ import annotations

from django import forms

from productorg.errors import ApplicationError

from .models import Alignment


class ServiceErrorsMixin:
    def add_service_error(self, exc: ApplicationError) -> None:
        """Show a refused service call next to its field (or above the form)."""
        for field, errors in (exc.field_errors or {None: [exc.message]}).items():
            for error in errors if isinstance(errors, list | tuple) else [errors]:
                self.add_error(field if field in self.fields else None, str(error))


class AlignmentConfirmForm(ServiceErrorsMixin, forms.Form):
    """A stakeholder confirms where they stand, or says that it changed."""

    status = forms.ChoiceField(label="Where you stand", choices=Alignment.Status.choices)
    note = forms.CharField(label="Note", required=False, max_length=2000)


class ReviewCompleteForm(ServiceErrorsMixin, forms.Form):
    """Close a review occurrence: done (with what came out of it) or skipped."""

    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was agreed or decided; the owner and participants see it.",
    )
    action = forms.ChoiceField(choices=[("done", "Done"), ("skip", "Skipped")], initial="done")

    @property
    def skipped(self) -> bool:
        return self.cleaned_data.get("action") == "skip"
