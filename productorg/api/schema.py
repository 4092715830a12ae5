"""OpenAPI glue: the bearer scheme and the one error format on every operation."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Shows ``Authorization: Bearer <token>`` as an HTTP bearer scheme in the schema."""

    target_class = "productorg.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (created at /account/tokens/ or with "
            "`manage.py create_api_token`), sent as `Authorization: Bearer <token>`.",
        }


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text="Machine-readable: invalid, not_authenticated, authentication_failed, "
        "permission_denied, not_found, protected, …"
    )
    message = serializers.CharField(help_text="One human-readable sentence.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: messages per field; `non_field_errors` for the "
        "request as a whole.",
    )


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API."""

    error = ErrorBodySerializer()


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses every operation can give, in the one error format.

    400 for writes, deletes (a row still referred to) and lists (a bad filter value);
    401 everywhere; 403 for writes (members read, HR admins write); 404 for one object.
    """

    def get_response_serializers(self):
        success = super().get_response_serializers()
        if isinstance(success, dict):  # an explicit @extend_schema(responses={…}) wins
            return success
        if self.method == "DELETE":
            responses = {204: None}
        elif self._is_create_operation():
            responses = {201: success}
        else:
            responses = {200: success}
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes or self._is_list_view(success):
            responses[400] = ErrorSerializer
        responses[401] = ErrorSerializer
        if writes:
            responses[403] = ErrorSerializer
        if "{" in self.path:
            responses[404] = ErrorSerializer
        return responses
