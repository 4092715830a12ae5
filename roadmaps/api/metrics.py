"""REST API of metrics: definitions, readings (one at a time or in bulk) and roll-ups.

Who may do what (DESIGN.md; ``roadmaps.metric_selectors``):

- every signed-in member reads metrics, readings and roll-ups (metrics are public);
- a metric is created, changed and deleted by HR admins, its owner and the owner's
  management chain, and, for a product's metric, the product's owner and their chain;
- a reading is reported by HR admins, the product's owner and their chain, and the
  metric's owner and their chain. A single reading refused answers 403; in a bulk
  upload each row is decided on its own and a refused row is a row error;
- roll-ups are computed by the roll-up job, never written through the API.

Readings are written by ``roadmaps.observations.observations_ingest`` (all or
nothing, idempotent on metric, product, timestamp and source), whether one or 10,000
come in. The bulk endpoint validates only its envelope with a serializer; the rows go
to the service as they came, which checks them all in a fixed number of queries.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from productorg.api.schema import ErrorBodySerializer, ErrorSerializer
from productorg.errors import ApplicationError
from roles.selectors import person_for_user

from .. import metric_services
from ..filters_metrics import MetricFilterSet, MetricObservationFilterSet, MetricRollupFilterSet
from ..metric_selectors import (
    metric_by_reference,
    metric_can_edit,
    metric_can_report,
    metric_list,
    metric_may_define,
    metric_observation_list,
    metric_rollup_list,
    product_by_reference,
)
from ..models import Metric, MetricObservation, MetricRollup
from ..observations import (
    MAX_ROWS,
    _parse_timestamp,
    observations_ingest,
    observations_parse_csv,
)
from .serializers import CanEditMixin, _name_of, _user
from .views import RoadmapViewSet

# The largest upload body: 10,000 rows with the longest keys, slugs and sources fit
# (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, would refuse a plain one with an HTML
# page before the API saw it).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


class _UploadParser(parsers.BaseParser):
    """Reads a bulk upload's body with the upload's own size limit instead of Django's."""

    def read(self, stream, parser_context) -> bytes:
        too_big = f"An upload may be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        meta = getattr((parser_context or {}).get("request"), "META", {})
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_UPLOAD_BYTES:
            raise exceptions.ParseError(too_big)
        raw = stream.read(MAX_UPLOAD_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_UPLOAD_BYTES:
            raise exceptions.ParseError(too_big)
        return raw


class ObservationUploadParser(_UploadParser):
    """``{"source": …, "observations": [{…}, …]}`` as JSON."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = self.read(stream, parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.loads(raw.decode(encoding)) if raw else {}
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc


class ObservationCsvParser(_UploadParser):
    """A CSV file of readings (header ``metric,product,timestamp,value[,source]``), read
    by the same parser as uploads in the admin and on product pages."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        rows = observations_parse_csv(file=io.BytesIO(self.read(stream, parser_context)))
        return {"observations": rows}


# --- Serializers --------------------------------------------------------------------------


class MetricSerializer(CanEditMixin, serializers.ModelSerializer):
    owner_name = _name_of("owner.full_name", "Full name of the owner.")
    product_name = _name_of("product.name", "Name of the product.")

    class Meta:
        model = Metric
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "aggregation",
            "direction",
            "owner",
            "owner_name",
            "product",
            "product_name",
            "description",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "key": {
                "help_text": "Unique; how uploads name the metric. It cannot change once "
                "readings exist."
            },
            "aggregation": {
                "help_text": "How readings combine in roll-ups: sum, average (weighted by "
                "readings), last, min or max."
            },
            "owner": {
                "required": False,
                "help_text": "Id of the owner (a person). Defaults to the caller; members "
                "may name themselves or anyone who reports to them.",
            },
            "product": {"help_text": "Id of the product it measures, if it measures one."},
        }
        # The key's uniqueness is the service's to report (one message for API and pages).
        validators = []

    def get_extra_kwargs(self):
        kwargs = super().get_extra_kwargs()
        key = dict(kwargs.get("key", {}))
        key["validators"] = []
        kwargs["key"] = key
        return kwargs

    def may_edit(self, obj) -> bool:
        return metric_can_edit(user=_user(self), metric=obj)


class MetricObservationSerializer(serializers.ModelSerializer):
    metric_key = serializers.CharField(
        source="metric.key", read_only=True, help_text="Key of the metric."
    )
    product_slug = serializers.CharField(
        source="product.slug", read_only=True, help_text="Slug of the product."
    )

    class Meta:
        model = MetricObservation
        fields = [
            "id",
            "metric",
            "metric_key",
            "product",
            "product_slug",
            "timestamp",
            "value",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ObservationRowSerializer(serializers.Serializer):
    """One reading, as it is sent (alone, or as a row of a bulk upload)."""

    metric = serializers.CharField(help_text="The metric's key or id.")
    product = serializers.CharField(help_text="The product's slug or id.")
    timestamp = serializers.CharField(
        help_text="When it was measured, ISO 8601 (e.g. 2026-11-02T09:00:00Z; without an "
        "offset it is UTC; a bare date is midnight UTC)."
    )
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        coerce_to_string=False,
        help_text="The reading (at most 16 digits before the point and 4 after).",
    )
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Where it came from, e.g. 'warehouse'. A reading is identified by metric, "
        "product, timestamp and source: sending it again replaces its value.",
    )


@extend_schema_field(ObservationRowSerializer(many=True))
class ObservationRowsField(serializers.Field):
    """The rows of a bulk upload, passed on as they came.

    Only the shape of the envelope is checked here (a list, and not too long, before
    any row is looked at); ``observations_ingest`` checks the rows, all at once.
    """

    default_error_messages = {
        "not_a_list": "Expected a list of readings.",
        "empty": "There are no readings to record.",
        "too_many": "Send at most {limit:,} readings at a time (got {count:,}).",
    }

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if len(data) > MAX_ROWS:
            self.fail("too_many", limit=MAX_ROWS, count=len(data))
        if not data:
            self.fail("empty")
        return data

    def to_representation(self, value):  # pragma: no cover - input only
        return value


class ObservationBulkSerializer(serializers.Serializer):
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MetricObservation._meta.get_field("source").max_length,
        help_text="The source of rows that name none.",
    )
    observations = ObservationRowsField(
        help_text=f"The readings, at most {MAX_ROWS:,}. All are recorded or none."
    )


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Readings recorded for the first time.")
    updated = serializers.IntegerField(help_text="Readings already known whose value changed.")
    unchanged = serializers.IntegerField(help_text="Readings already known with the same value.")


class ObservationRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's position in the upload, from 1.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field of the row (metric, product, timestamp, value, source).",
    )


class ObservationUploadErrorFieldsSerializer(serializers.Serializer):
    rows = ObservationRowErrorSerializer(
        many=True, required=False, help_text="Every bad row, in order."
    )
    observations = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The list as a whole."
    )
    source = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ObservationUploadErrorBodySerializer(ErrorBodySerializer):
    fields = ObservationUploadErrorFieldsSerializer(
        required=False,
        help_text="Validation errors: `rows` lists every bad row with its fields' messages.",
    )


class ObservationUploadErrorSerializer(serializers.Serializer):
    """The one error format, with the bad rows of an upload under `fields.rows`."""

    error = ObservationUploadErrorBodySerializer()


class MetricRollupSerializer(serializers.ModelSerializer):
    metric_key = serializers.CharField(
        source="metric.key", read_only=True, help_text="Key of the metric."
    )

    class Meta:
        model = MetricRollup
        fields = [
            "id",
            "metric",
            "metric_key",
            "scope",
            "scope_id",
            "grain",
            "period_start",
            "value",
            "observation_count",
            "observation_sum",
            "last_observed_at",
            "computed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "scope_id": {
                "help_text": "Id of the product, team or business unit (a unit covers its "
                "whole subtree); 0 for the company."
            },
            "value": {"help_text": "The metric's aggregation over the period's readings."},
        }


def row_errors_response(exc: ApplicationError) -> Response:
    """A 400 in the one error format with each bad row under ``fields.rows``.

    ``productorg.api.errors`` flattens field errors to lists of strings; an upload's
    errors keep their structure (``{"row": n, "errors": {field: [...]}}``) so a client
    can point at the cell at fault.
    """
    rows = sorted(exc.row_errors, key=lambda entry: entry["row"])
    first = rows[0]
    field, messages = next(iter(first["errors"].items()))
    return Response(
        {
            "error": {
                "status": status.HTTP_400_BAD_REQUEST,
                "code": "invalid",
                "message": f"{exc.message} Row {first['row']}: {field}: {messages[0]}",
                "fields": {"rows": rows},
            }
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


# --- Viewsets -----------------------------------------------------------------------------


class MetricViewSet(RoadmapViewSet):
    """KPI definitions. Every member reads them; HR admins, the owner and their chain,
    and for a product's metric the product's owner and their chain, change them."""

    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    denied_message = (
        "Only HR admins, the metric's owner and their managers, and for a product's "
        "metric the product's owner and their managers, may change it."
    )
    define_denied = (
        "A metric of a product is defined by the product's owner and their managers; any "
        "other metric belongs to you or to someone who reports to you."
    )

    def get_queryset(self):
        return metric_list()

    def may_change(self, obj) -> bool:
        return metric_can_edit(user=self.user, metric=obj)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if "owner" not in data:
            data["owner"] = person_for_user(user=self.user)
        if not metric_may_define(user=self.user, owner=data["owner"], product=data.get("product")):
            self.deny(self.define_denied)
        metric = metric_services.metric_create(acting_user=self.user, **data)
        serializer.instance = self.reread(metric)

    def perform_update(self, serializer):
        metric, data = serializer.instance, serializer.validated_data
        product = data.get("product", metric.product)
        moved = product != metric.product and product is not None
        if moved and not metric_may_define(user=self.user, owner=None, product=product):
            self.deny(self.define_denied)
        after = Metric(owner=data.get("owner", metric.owner), product=product)
        if not metric_can_edit(user=self.user, metric=after):
            # Handing it to someone out of one's reach would lock the caller out.
            self.deny(self.define_denied)
        metric = metric_services.metric_update(metric=metric, acting_user=self.user, **data)
        serializer.instance = self.reread(metric)

    def perform_destroy(self, instance):
        metric_services.metric_delete(metric=instance, acting_user=self.user)


class MetricObservationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Readings of metrics for products, newest first; every member reads them.

    A reading is never changed or deleted here: sending it again (same metric, product,
    timestamp and source) replaces its value.
    """

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricObservationFilterSet
    serializer_class = MetricObservationSerializer
    report_denied = (
        "Only HR admins, the product's owner and their managers, and the metric's owner "
        "and their managers, may report its readings."
    )

    def get_queryset(self):
        return metric_observation_list()

    def get_serializer_class(self):
        if self.action == "create":
            return ObservationRowSerializer
        if self.action == "bulk":
            return ObservationBulkSerializer
        return MetricObservationSerializer

    @extend_schema(
        request=ObservationRowSerializer,
        responses={
            201: MetricObservationSerializer,
            200: MetricObservationSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
        summary="Report one reading",
        description="201 when the reading is new; 200 when a reading with the same metric, "
        "product, timestamp and source was already recorded (its value is replaced). "
        "403 for a product and metric the caller may not report for.",
    )
    def create(self, request, *args, **kwargs):
        # The service checks the reading exactly as it checks a row of an upload; the
        # serializer only documents the shape.
        if not isinstance(request.data, Mapping):
            raise ApplicationError.for_field("non_field_errors", "Expected one reading.")
        row = {name: request.data.get(name) for name in ObservationRowSerializer().fields}
        metric = metric_by_reference(value=row["metric"])
        product = product_by_reference(value=row["product"])
        if (
            metric is not None
            and product is not None
            and not metric_can_report(user=request.user, metric=metric, product=product)
        ):
            self.permission_denied(request, message=self.report_denied)
        try:
            result = observations_ingest(rows=[row], acting_user=request.user)
        except ApplicationError as exc:
            errors = getattr(exc, "row_errors", None)
            if errors:
                raise ApplicationError(exc.message, field_errors=errors[0]["errors"]) from exc
            raise
        reading = self.get_queryset().get(
            metric=metric,
            product=product,
            timestamp=_parse_timestamp(row["timestamp"]),
            source=str(row["source"] or "").strip(),
        )
        return Response(
            MetricObservationSerializer(reading).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(
        request={
            "application/json": ObservationBulkSerializer,
            "text/csv": OpenApiTypes.STR,
        },
        parameters=[
            OpenApiParameter(
                "source",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="The source of rows that name none, for a CSV body (a JSON "
                "body's own `source` wins).",
            )
        ],
        responses={
            201: IngestResultSerializer,
            200: IngestResultSerializer,
            400: ObservationUploadErrorSerializer,
            401: ErrorSerializer,
        },
        summary="Report up to 10,000 readings at once, all or none",
        description="Every row is checked before anything is written: one bad row (a "
        "metric or product that does not exist, a timestamp or value that cannot be "
        "read, a product the caller may not report for) writes nothing and answers 400 "
        "listing every bad row under `error.fields.rows`. A reading already recorded "
        "with the same metric, product, timestamp and source is replaced (`updated`) or "
        "left alone (`unchanged`), so a retried upload never counts twice. 201 when "
        "some reading is new, 200 otherwise. More than 10,000 rows answer 400 on "
        "`observations` before any row is read; a body over 8 MB answers 400 "
        "(`parse_error`).\n\nThe body is JSON, or a CSV file (`Content-Type: text/csv`) "
        "with the header `metric,product,timestamp,value,source` (source optional); "
        "rows are numbered from the first reading, the header not counted. A CSV whose "
        "header or encoding cannot be read answers 400 on `file`.",
        examples=[
            OpenApiExample(
                "Two readings",
                request_only=True,
                value={
                    "source": "warehouse",
                    "observations": [
                        {
                            "metric": "weekly-active-users",
                            "product": "checkout",
                            "timestamp": "2026-11-02T00:00:00Z",
                            "value": "18250",
                        },
                        {
                            "metric": "conversion-rate",
                            "product": "checkout",
                            "timestamp": "2026-11-02T00:00:00Z",
                            "value": "3.4",
                            "source": "ab-platform",
                        },
                    ],
                },
            ),
            OpenApiExample(
                "A bad row",
                response_only=True,
                status_codes=["400"],
                value={
                    "error": {
                        "status": 400,
                        "code": "invalid",
                        "message": "1 row could not be read; nothing was written. "
                        "Row 2: value: Enter a number (at most 16 digits before the point).",
                        "fields": {
                            "rows": [
                                {
                                    "row": 2,
                                    "errors": {
                                        "value": [
                                            "Enter a number (at most 16 digits before the point)."
                                        ]
                                    },
                                }
                            ]
                        },
                    }
                },
            ),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[ObservationUploadParser, ObservationCsvParser],
    )
    def bulk(self, request):
        data = dict(request.data) if isinstance(request.data, Mapping) else request.data
        if isinstance(data, dict) and "source" not in data and "source" in request.query_params:
            data["source"] = request.query_params["source"]
        envelope = self.get_serializer(data=data)
        envelope.is_valid(raise_exception=True)
        rows = envelope.validated_data["observations"]
        # A row that is not an object goes in empty (so the other rows are still all
        # checked) and is reported as what it is.
        not_objects = {n for n, row in enumerate(rows, start=1) if not isinstance(row, Mapping)}
        if not_objects:
            rows = [{} if n in not_objects else row for n, row in enumerate(rows, start=1)]
        try:
            result = observations_ingest(
                rows=rows,
                default_source=envelope.validated_data["source"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            if getattr(exc, "row_errors", None):
                for entry in exc.row_errors:
                    if entry["row"] in not_objects:
                        entry["errors"] = {"row": ["Expected an object."]}
                return row_errors_response(exc)
            raise
        return Response(
            IngestResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class MetricRollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Metrics aggregated per product, team, business unit and the company, per day,
    week, month and quarter; computed by the roll-up job, read by every member."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricRollupFilterSet
    serializer_class = MetricRollupSerializer

    def get_queryset(self):
        return metric_rollup_list()
