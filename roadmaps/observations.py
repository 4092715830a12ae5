"""Metric readings coming in: bulk ingestion (API, CSV, admin) and CSV parsing.

An upload is all-or-nothing: every row is checked before anything is written, and a
file with one bad row writes nothing and lists every row's errors. A reading is
identified by ``(metric, product, timestamp, source)``: sending it again replaces its
value (counted as *updated*, or *unchanged* when equal) and never counts it twice.
Each written reading marks its metric's day for the roll-up job, which is enqueued
once the upload has committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from productorg.errors import ApplicationError

from .models import Metric, MetricObservation, PendingRollup, Product

MAX_ROWS = 10_000
CSV_COLUMNS = ("metric", "product", "timestamp", "value", "source")
REQUIRED_COLUMNS = ("metric", "product", "timestamp", "value")
OBSERVATIONS = MetricObservation._meta.db_table
PENDING = PendingRollup._meta.db_table
# |value| must fit DecimalField(max_digits=20, decimal_places=4).
VALUE_LIMIT = Decimal("1e16")
SOURCE_MAX = MetricObservation._meta.get_field("source").max_length


@dataclass(frozen=True)
class IngestResult:
    """What an upload did: new readings, readings whose value changed, readings already known."""

    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class RowErrors(ApplicationError):
    """Some rows of an upload are invalid; nothing was written.

    ``row_errors`` is ``[{"row": n, "errors": {field: [message, ...]}}]`` with 1-based row
    numbers; ``field_errors["rows"]`` holds the same as readable lines.
    """

    def __init__(self, row_errors: list[dict[str, Any]]):
        self.row_errors = row_errors
        lines = [
            f"Row {entry['row']}: {field}: {message}"
            for entry in row_errors
            for field, messages in entry["errors"].items()
            for message in messages
        ]
        count = len(row_errors)
        super().__init__(
            f"{count} row{'s' if count != 1 else ''} could not be read; nothing was written.",
            field_errors={"rows": lines},
        )


def _parse_timestamp(raw: Any) -> dt.datetime | None:
    """An aware datetime from a datetime, a date or an ISO 8601 string (naive means UTC)."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time.min)
    elif isinstance(raw, str) and raw.strip():
        text = raw.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = parse_datetime(text)
            if value is None:
                day = parse_date(text)
                value = dt.datetime.combine(day, dt.time.min) if day else None
        except ValueError:
            value = None
        if value is None:
            return None
    else:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _parse_value(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        return None
    return value.quantize(Decimal("0.0001"))


def _reference(raw: Any) -> tuple[str, Any] | None:
    """('id', 12) for an integer or a string of digits, ('key', 'signups') for a key/slug."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return ("id", raw)
    text = str(raw).strip()
    if not text:
        return None
    return ("id", int(text)) if text.isdigit() else ("key", text)


def _lookup(model, field: str, refs: Iterable[tuple[str, Any]]) -> dict[tuple[str, Any], Any]:
    """Resolve ('id', n) and ('key', text) references to rows in one query."""
    refs = list(refs)
    ids = {value for kind, value in refs if kind == "id"}
    keys = {value for kind, value in refs if kind == "key"}
    if not ids and not keys:
        return {}
    rows = model.objects.filter(Q(pk__in=ids) | Q(**{f"{field}__in": keys}))
    found: dict[tuple[str, Any], Any] = {}
    for row in rows:
        found[("id", row.pk)] = row
        found[("key", getattr(row, field))] = row
    return found


def _writable_product_ids(*, acting_user, products: Iterable[Product]) -> set[int] | None:
    """Products ``acting_user`` may report for (None: all). A product's owner and their
    management chain report its metrics; HR admins report any."""
    from .selectors import _viewer_subtree_ids

    subtree = _viewer_subtree_ids(user=acting_user)
    if subtree is None:
        return None
    members = set(subtree)
    return {product.pk for product in products if product.owner_id in members}


def _writable_metric_ids(*, acting_user, metrics: Iterable[Metric]) -> set[int] | None:
    """Metrics whose owner is ``acting_user`` or someone under them (None: all)."""
    from .selectors import _viewer_subtree_ids

    subtree = _viewer_subtree_ids(user=acting_user)
    if subtree is None:
        return None
    members = set(subtree)
    return {metric.pk for metric in metrics if metric.owner_id in members}


@transaction.atomic
def observations_ingest(
    *,
    rows: list[Mapping[str, Any]],
    default_source: str = "",
    acting_user=None,
) -> IngestResult:
    """Record metric readings, all or nothing; idempotent on (metric, product, timestamp, source).

    ``rows`` hold ``metric`` (key or id), ``product`` (slug or id), ``timestamp``
    (ISO 8601; naive means UTC), ``value`` and optionally ``source`` (else
    ``default_source``). With an ``acting_user``, each row's product must be one they
    may report for (its owner, the owner's management chain, the metric's owner and
    their chain, or an HR admin). Raises :class:`RowErrors` listing every bad row.
    The number of queries does not depend on the number of rows.
    """
    if len(rows) > MAX_ROWS:
        raise ApplicationError.for_field(
            "observations", f"Send at most {MAX_ROWS:,} readings at a time (got {len(rows):,})."
        )
    if not rows:
        raise ApplicationError.for_field("observations", "There are no readings to record.")
    default_source = (default_source or "").strip()

    rows = [row if isinstance(row, Mapping) else None for row in rows]
    metric_refs = [_reference(row.get("metric")) if row else None for row in rows]
    product_refs = [_reference(row.get("product")) if row else None for row in rows]
    metrics = _lookup(Metric, "key", filter(None, metric_refs))  # query: metrics
    products = _lookup(Product, "slug", filter(None, product_refs))  # query: products
    writable_products = writable_metrics = None
    if acting_user is not None:
        # At most three queries (HR membership, the user's person, their subtree), cached.
        writable_products = _writable_product_ids(
            acting_user=acting_user, products=set(products.values())
        )
        writable_metrics = _writable_metric_ids(
            acting_user=acting_user, metrics=set(metrics.values())
        )

    parsed: dict[tuple[int, int, dt.datetime, str], tuple[Decimal, int]] = {}
    row_errors: list[dict[str, Any]] = []
    for number, (row, metric_ref, product_ref) in enumerate(
        zip(rows, metric_refs, product_refs, strict=True), start=1
    ):
        errors: dict[str, list[str]] = {}
        if row is None:
            row_errors.append({"row": number, "errors": {"row": ["Expected an object."]}})
            continue
        metric = metrics.get(metric_ref) if metric_ref else None
        product = products.get(product_ref) if product_ref else None
        if metric_ref is None:
            errors["metric"] = ["This field is required."]
        elif metric is None:
            errors["metric"] = [f"No metric with key or id {row.get('metric')!r}."]
        if product_ref is None:
            errors["product"] = ["This field is required."]
        elif product is None:
            errors["product"] = [f"No product with slug or id {row.get('product')!r}."]
        timestamp = _parse_timestamp(row.get("timestamp"))
        if timestamp is None:
            errors["timestamp"] = [
                "Enter a date and time in ISO 8601, e.g. 2026-11-02T09:00:00Z."
                if row.get("timestamp") not in (None, "")
                else "This field is required."
            ]
        value = _parse_value(row.get("value"))
        if value is None:
            errors["value"] = [
                "Enter a number (at most 16 digits before the point)."
                if row.get("value") not in (None, "")
                else "This field is required."
            ]
        source = row.get("source")
        source = default_source if source in (None, "") else str(source).strip()
        if len(source) > SOURCE_MAX:
            errors["source"] = [f"At most {SOURCE_MAX} characters."]
        if (
            metric is not None
            and product is not None
            and writable_products is not None
            and product.pk not in writable_products
            and metric.pk not in (writable_metrics or set())
        ):
            errors["product"] = ["You may not report metrics for this product."]
        if not errors:
            key = (metric.pk, product.pk, timestamp, source)
            seen = parsed.get(key)
            if seen is not None and seen[0] != value:
                errors["value"] = [
                    f"Row {seen[1]} has the same metric, product, time and source "
                    f"with another value ({seen[0]})."
                ]
            elif seen is None:
                parsed[key] = (value, number)
        if errors:
            row_errors.append({"row": number, "errors": errors})
    if row_errors:
        raise RowErrors(row_errors)

    # query: the readings already recorded for these series within the upload's time span
    times = [key[2] for key in parsed]
    existing = {
        (obs.metric_id, obs.product_id, obs.timestamp, obs.source): obs.value
        for obs in MetricObservation.objects.filter(
            metric_id__in={key[0] for key in parsed},
            product_id__in={key[1] for key in parsed},
            timestamp__gte=min(times),
            timestamp__lte=max(times),
        ).only("metric_id", "product_id", "timestamp", "source", "value")
    }
    now = timezone.now()
    to_write: list[tuple] = []
    created = updated = unchanged = 0
    for (metric_id, product_id, timestamp, source), (value, _number) in parsed.items():
        old = existing.get((metric_id, product_id, timestamp, source))
        if old is not None and old == value:
            unchanged += 1
            continue
        if old is None:
            created += 1
        else:
            updated += 1
        to_write.append((metric_id, product_id, timestamp, value, source))
    if to_write:
        _upsert_readings(rows=to_write, now=now)
        observations_mark_for_rollup(
            days={(row[0], row[2].astimezone(dt.UTC).date()) for row in to_write}
        )
    return IngestResult(created=created, updated=updated, unchanged=unchanged)


def _upsert_readings(*, rows: list[tuple], now) -> None:
    """INSERT the readings, replacing the value of any already recorded (one statement,
    executed for all rows at once, so that a concurrent upload of the same readings can
    neither fail nor double them)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"""
            INSERT INTO {OBSERVATIONS}
                (metric_id, product_id, timestamp, value, source, created_at, updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (metric_id, product_id, timestamp, source)
            DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """,
            [
                (
                    metric_id,
                    product_id,
                    ops.adapt_datetimefield_value(timestamp),
                    ops.adapt_decimalfield_value(value, 20, 4),
                    source,
                    now,
                    now,
                )
                for metric_id, product_id, timestamp, value, source in rows
            ],
        )


def observations_mark_for_rollup(*, days: set[tuple[int, dt.date]]) -> None:
    """Mark (metric id, UTC day) pairs for the roll-up job and enqueue it after commit."""
    if not days:
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {PENDING} (metric_id, day) VALUES (%s, %s) "
            "ON CONFLICT (metric_id, day) DO NOTHING",
            [(metric_id, ops.adapt_datefield_value(day)) for metric_id, day in sorted(days)],
        )
    from .tasks import enqueue_rollup

    transaction.on_commit(enqueue_rollup)


def observations_parse_csv(*, file) -> list[dict[str, str]]:
    """Rows of a readings CSV (header ``metric,product,timestamp,value[,source]``).

    Accepts UTF-8 with or without a byte-order mark, comma or semicolon separated.
    Raises :class:`ApplicationError` on ``file`` for an unreadable file or header.
    """
    raw = file.read()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError.for_field("file", "The file is not UTF-8 text.") from exc
    else:
        text = raw.lstrip("\ufeff")
    if not text.strip():
        raise ApplicationError.for_field("file", "The file is empty.")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ApplicationError.for_field(
            "file",
            f"The header must name the columns {', '.join(CSV_COLUMNS)} "
            f"(missing: {', '.join(missing)}).",
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append({name: (row.get(name) or "").strip() for name in CSV_COLUMNS})
        if len(rows) > MAX_ROWS:
            raise ApplicationError.for_field(
                "file", f"Upload at most {MAX_ROWS:,} readings per file."
            )
    if not rows:
        raise ApplicationError.for_field("file", "The file has a header but no readings.")
    return rows
