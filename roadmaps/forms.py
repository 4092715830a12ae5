"""Forms of the goal and product pages. They only parse input; services do the writes."""

from __future__ import annotations

from django import forms

from productorg.errors import ApplicationError

from .models import CheckIn, GoalLink, LifecycleStage


class ServiceErrorsMixin:
    """Puts an :class:`ApplicationError` from a service next to the fields it names."""

    def add_service_error(self, exc: ApplicationError) -> None:
        for field, messages in (exc.field_errors or {None: [exc.message]}).items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CheckInForm(ServiceErrorsMixin, forms.Form):
    """A reading of a key result: the new value, how confident its owner is, and why."""

    value = forms.DecimalField(
        label="New value",
        max_digits=CheckIn._meta.get_field("value").max_digits,
        decimal_places=CheckIn._meta.get_field("value").decimal_places,
        error_messages={"required": "Enter the new value.", "invalid": "Enter a number."},
    )
    confidence = forms.TypedChoiceField(
        label="Confidence",
        choices=[("", "—")] + [(str(n), f"{n}/10") for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label="Note", max_length=1000, required=False)

    def __init__(self, *args, prefix_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids unique on a page listing many key results: "kr-12-value".
        self.auto_id = f"{prefix_id}-%s"


class GoalAlignForm(ServiceErrorsMixin, forms.Form):
    """Align a goal to a parent goal, contributing with a weight or only supporting it."""

    parent = forms.TypedChoiceField(
        label="Aligns to", coerce=int, error_messages={"required": "Choose a goal."}
    )
    kind = forms.ChoiceField(
        label="How", choices=GoalLink.Kind.choices, initial=GoalLink.Kind.CONTRIBUTES
    )
    weight = forms.DecimalField(
        label="Weight",
        initial=1,
        min_value=0.01,
        max_digits=6,
        decimal_places=2,
        error_messages={"invalid": "Enter a number.", "required": "Enter a weight."},
        help_text="How much this goal counts towards the parent, next to its other terms.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {goal.pk: goal for goal in candidates}
        self.fields["parent"].choices = [("", "Choose a goal…")] + [
            (goal.pk, goal.title) for goal in candidates
        ]
        self.auto_id = "align-%s"


class StageTransitionForm(ServiceErrorsMixin, forms.Form):
    """Move a product to another lifecycle stage, saying why."""

    to_stage = forms.ChoiceField(label="New stage", error_messages={"required": "Choose a stage."})
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to move back a stage or to retire the product.",
    )

    def __init__(self, *args, current_stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [("", "Choose a stage…")] + [
            (value, label) for value, label in LifecycleStage.choices if value != current_stage
        ]
        self.auto_id = "transition-%s"
