"""The organisation and its people.

Reporting lines (``Person.manager``) and unit nesting (``BusinessUnit.parent``) are
adjacency lists. Moves go through ``roles.services``, which refuses cycles before
writing. Units are walked with recursive CTEs (see ``roles.selectors``); reporting lines
are also kept, by database triggers, as a closure table (:class:`ReportingLine`) that
subtree lookups read in one index scan.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from productorg.models import TimeStampedModel


class BusinessUnit(TimeStampedModel):
    """A business unit; units nest (a division holds product lines, …)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leader = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_units"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="business_unit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    """A team inside a business unit, led by a person."""

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        PLATFORM = "platform", "Platform"
        ENGINEERING = "engineering", "Engineering"
        DESIGN = "design", "Design"
        DATA = "data", "Data"
        MARKETING = "marketing", "Marketing"
        SALES = "sales", "Sales"
        SUPPORT = "support", "Support"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="teams")
    lead = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business_unit", "name"], name="team_name_unique_in_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(TimeStampedModel):
    """A rung of the job ladder. The ladder is data: HR may rename, add and reorder rungs."""

    class Track(models.TextChoices):
        MANAGEMENT = "management", "Management"
        INDIVIDUAL = "individual", "Individual contributor"

    class Family(models.TextChoices):
        PRODUCT = "product", "Product management"
        ENGINEERING = "engineering", "Engineering"
        DESIGN = "design", "Design"
        DATA = "data", "Data"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120, unique=True)
    family = models.CharField(max_length=20, choices=Family.choices, default=Family.PRODUCT)
    track = models.CharField(max_length=20, choices=Track.choices)
    level = models.PositiveSmallIntegerField(help_text="Higher is more senior.")
    summary = models.TextField(blank=True)
    responsibilities = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "-level", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_product_role(self) -> bool:
        return self.family == self.Family.PRODUCT


class ResponsibilityArea(TimeStampedModel):
    """Something the product organisation must own (vision, hiring, budgeting…). Data."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RoleResponsibility(models.Model):
    """What a rung of the ladder does for an area, as a RACI letter."""

    class Raci(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="responsibilities_raci")
    area = models.ForeignKey(
        ResponsibilityArea, on_delete=models.CASCADE, related_name="role_responsibilities"
    )
    raci = models.CharField(max_length=1, choices=Raci.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "role"]
        constraints = [
            models.UniqueConstraint(fields=["role", "area"], name="role_responsibility_unique")
        ]
        verbose_name_plural = "role responsibilities"

    def __str__(self) -> str:
        return f"{self.role} · {self.area}: {self.raci}"


class Person(TimeStampedModel):
    """Someone in the organisation. ``manager`` is the reporting line (the org tree).

    A login is optional: HR may plan people who never sign in. Nobody manages
    themself, and a reporting line never forms a cycle (``person_set_manager``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    title = models.CharField(max_length=200, blank=True)
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    location = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(condition=~Q(manager=F("pk")), name="person_not_own_manager"),
        ]
        indexes = [
            models.Index(fields=["manager", "is_active"]),
            # Lists sort by name with the id as tie-breaker: read in index order, no sort.
            models.Index(fields=["full_name", "id"], name="person_name_order"),
        ]

    def __str__(self) -> str:
        return self.full_name


class ReportingLine(models.Model):
    """``person`` is ``depth`` levels under ``ancestor`` (0: ``ancestor`` is the person).

    The closure of ``Person.manager``: one row for each person and each manager above
    them, so "everyone under X" is one index range (``ancestor = X``) at any size or
    depth, where a recursive walk costs a join per level and defeats the planner's
    estimates. ``Person.manager`` stays the truth; these rows are derived from it by
    database triggers (migration ``roles.0008``) on every insert of a person and every
    change of a manager, whatever writes it (services, imports, bulk updates, raw SQL),
    in the same transaction. The triggers refuse a manager inside the person's own
    subtree, so the database itself keeps reporting lines acyclic. Never written by
    the application.
    """

    # Both covered by the indexes below (a key's leading column), hence no index of their own.
    ancestor = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="lines_down", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="lines_up", db_index=False
    )
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "person"], name="reporting_line_unique"),
        ]
        indexes = [
            # A person's chain upwards, nearest first.
            models.Index(fields=["person", "depth"], name="reporting_line_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} under {self.ancestor_id} ({self.depth})"


class Position(TimeStampedModel):
    """A seat in the organisation plan. Open seats are the hiring plan.

    A filled seat has a holder; any other status has none. The budgeted cost is private
    (HR admins and the management chain above the seat).
    """

    class Status(models.TextChoices):
        FILLED = "filled", "Filled"
        OPEN = "open", "Open"
        PLANNED = "planned", "Planned"
        FROZEN = "frozen", "Frozen"

    title = models.CharField(max_length=200, blank=True, help_text="Defaults to the role's name.")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="positions")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="positions"
    )
    reports_to = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="planned_positions",
        help_text="The person the seat reports to.",
    )
    reports_to_position = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_positions",
        help_text="Or the seat it reports to, when that seat is itself not filled yet.",
    )
    holder = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="positions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    budgeted_annual_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="EUR")
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="filled", holder__isnull=False)
                    | (~Q(status="filled") & Q(holder__isnull=True))
                ),
                name="position_holder_iff_filled",
                violation_error_message="A filled seat needs a holder, and only a filled seat has one.",
            ),
            models.UniqueConstraint(
                fields=["holder"],
                condition=Q(holder__isnull=False),
                name="position_one_seat_per_holder",
            ),
            models.CheckConstraint(
                condition=Q(budgeted_annual_cost__isnull=True) | Q(budgeted_annual_cost__gte=0),
                name="position_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.role.name

    @property
    def display_title(self) -> str:
        return self.title or self.role.name


class ImportJob(TimeStampedModel):
    """An HR export uploaded for import, run in the background, with its progress.

    The file is kept in the row so that the worker (another process, maybe another
    machine) reads exactly what was uploaded. Progress is written during validation;
    the write itself is one transaction, so a job is either fully applied or not at all.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Validating"
        WRITING = "writing", "Writing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.FAILED)

    file_name = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV, as text.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="Every problem found: row, column and message."
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    teams_created_count = models.PositiveIntegerField(default=0)
    units_created_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "validating", "writing", "done", "failed"]),
                name="import_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
