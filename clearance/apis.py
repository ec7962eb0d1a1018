"""The JSON API v1 (issue 7): thin views that parse input, call a service and shape the output."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_ip
from clearance.models import ApiScope, CheckChannel
from clearance.services import code_check

# Field sizes generous for any real name or number, small enough that nothing huge is hashed or kept.
NAME_MAX = 100
PHONE_MAX = 30
POSTCODE_MAX = 10
CODE_MAX = 30


class BothLanguagesSerializer(serializers.Serializer):
    ko = serializers.CharField()
    en = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The one error shape (pcc_portal/api.py)."""

    code = serializers.CharField()
    message = BothLanguagesSerializer()
    fields = serializers.DictField(required=False, child=serializers.ListField(child=serializers.DictField()))
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A field is missing or not valid"),
    401: OpenApiResponse(ErrorSerializer, description="No key, or a key that is not valid"),
    403: OpenApiResponse(ErrorSerializer, description="The key may not use this service"),
    429: OpenApiResponse(ErrorSerializer, description="Over the client's rate limit; see Retry-After"),
}


class ApiView(APIView):
    """A client-authenticated API view needing `required_scope`; `input_serializer_class` lets the
    error handler render validation messages in both languages."""

    required_scope = ApiScope.VERIFY
    input_serializer_class: type[serializers.Serializer] | None = None

    @property
    def client(self):
        return self.request.auth

    def validated(self, request) -> dict:
        serializer = self.input_serializer_class(data=request.data, context={"request": request, "view": self})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ConsigneeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    phone = serializers.CharField(max_length=PHONE_MAX)
    postcode = serializers.CharField(max_length=POSTCODE_MAX, required=False, allow_blank=True, default="")


class VerificationApi(ApiView):
    required_scope = ApiScope.VERIFY

    class InputSerializer(serializers.Serializer):
        pcc = serializers.CharField(max_length=CODE_MAX)
        name = serializers.CharField(max_length=NAME_MAX)
        phone = serializers.CharField(max_length=PHONE_MAX)
        postcode = serializers.CharField(
            max_length=POSTCODE_MAX,
            required=False,
            allow_blank=True,
            default="",
            help_text="Required for holders issued or changed since 2025-11-21 (DOMAIN.md §6)",
        )

    class OutputSerializer(serializers.Serializer):
        match = serializers.BooleanField()
        reasons = serializers.ListField(child=serializers.CharField())
        message = BothLanguagesSerializer()

    input_serializer_class = InputSerializer

    @extend_schema(
        operation_id="verify_code",
        summary="Verify a personal customs code against a consignee's name, phone and postcode",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.validated(request)
        outcome = code_check(
            client=self.client,
            channel=CheckChannel.API,
            number=data["pcc"],
            name=data["name"],
            phone=data["phone"],
            postcode=data["postcode"],
            ip_address=client_ip(request),
        )
        body = {"match": outcome.match, "reasons": list(outcome.reasons), "message": outcome.messages()}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_200_OK)


__all__ = ["ERRORS", "ApiView", "ConsigneeSerializer", "ErrorSerializer", "VerificationApi", "inline_serializer"]
