"""The JSON API v1 (issue 7): thin views that parse input, call a service and shape the output."""

import dataclasses
import datetime
from decimal import Decimal

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_ip
from clearance import assessment
from clearance.declarations import DeclarationInput, declaration_file
from clearance.models import ApiScope, CheckChannel
from clearance.services import code_check
from issuance.codes import mask_code
from issuance.models import ClearanceType, DeclarationKind

# Field sizes generous for any real name or number, small enough that nothing huge is hashed or kept.
NAME_MAX = 100
PHONE_MAX = 30
POSTCODE_MAX = 10
CODE_MAX = 30
MAX_ITEMS = 100
# One list for every country field, named in settings ENUM_NAME_OVERRIDES: one `CountryEnum` in the schema.
COUNTRIES = list(countries)


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
# What an endpoint that reads a body may also answer: a body without Content-Type, or of another type.
BODY_ERRORS = {
    **ERRORS,
    415: OpenApiResponse(ErrorSerializer, description="The body is not JSON (multipart/form-data for a file)"),
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
        responses={200: OutputSerializer, **BODY_ERRORS},
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


DECLARATION_NUMBER = RegexValidator(
    r"^[0-9]{5}-?[0-9]{2}-?[0-9]{6}[0-9A-Z]$",
    _("A declaration number is 5 digits, 2 digits of the year, 6 digits and a letter, e.g. 12345-26-000001M."),
    code="PCC_DECLARATION_NUMBER_FORMAT",
)
HS_CODE = RegexValidator(
    r"^[0-9]{4}([0-9]{2}){0,3}$",
    _("An HS code is 4, 6, 8 or 10 digits (dots and spaces are ignored), e.g. 6109 or 6109.10."),
    code="PCC_HS_CODE_FORMAT",
)
CURRENCY = RegexValidator(
    r"^[A-Z]{3}$", _("A currency is a 3-letter ISO 4217 code such as USD."), code="PCC_CURRENCY_FORMAT"
)


def _declaration_number(value: str) -> str:
    digits = value.strip().upper().replace("-", "")
    return f"{digits[:5]}-{digits[5:7]}-{digits[7:]}"


class HsCodeField(serializers.CharField):
    def to_internal_value(self, data):
        return "".join(ch for ch in super().to_internal_value(data) if ch not in ". ")


class UpperCaseField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(data).strip().upper()


class ItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    hs_code = HsCodeField(max_length=16, validators=[HS_CODE])
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), help_text="unit price")
    currency = UpperCaseField(max_length=3, validators=[CURRENCY])
    origin_country = serializers.ChoiceField(choices=COUNTRIES)
    excluded_category = serializers.ChoiceField(
        choices=assessment.ExcludedCategory.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="a list-clearance exclusion the HS code cannot show, e.g. functional cosmetics",
    )


class TaxSerializer(serializers.Serializer):
    exchange_rate = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=Decimal("0.0001"), help_text="customs rate, KRW per unit"
    )
    duty_rate = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=Decimal(0), max_value=Decimal(1000), help_text="percent"
    )
    freight_krw = serializers.IntegerField(min_value=0, max_value=10**12, required=False, default=0)


class ListClearanceSerializer(serializers.Serializer):
    applies = serializers.BooleanField(allow_null=True)
    limit_usd = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_usd = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    aggregated_usd = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    reasons = serializers.ListField(child=serializers.DictField())


class TaxEstimateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    total_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    exchange_rate = serializers.DecimalField(max_digits=14, decimal_places=4)
    freight_krw = serializers.IntegerField()
    taxable_value_krw = serializers.IntegerField()
    duty_rate = serializers.DecimalField(max_digits=6, decimal_places=3)
    duty_krw = serializers.IntegerField()
    vat_krw = serializers.IntegerField()
    total_tax_krw = serializers.IntegerField()


class DeclarationApi(ApiView):
    required_scope = ApiScope.DECLARE

    class InputSerializer(serializers.Serializer):
        declaration_number = serializers.CharField(max_length=20, validators=[DECLARATION_NUMBER])
        type = serializers.ChoiceField(choices=DeclarationKind.choices)
        clearance = serializers.ChoiceField(choices=ClearanceType.choices)
        pcc = serializers.CharField(max_length=CODE_MAX)
        consignee = ConsigneeSerializer()
        supplier = serializers.CharField(max_length=200)
        arrival_date = serializers.DateField()
        shipped_from = serializers.ChoiceField(
            choices=COUNTRIES,
            required=False,
            allow_blank=True,
            default="",
            help_text="country the goods left from (USD 200 limit from the US); default: the items' origin",
        )
        items = ItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)
        usd_per_unit = serializers.DecimalField(
            max_digits=18,
            decimal_places=8,
            min_value=Decimal("0.00000001"),
            required=False,
            help_text="USD value of one unit of a non-USD currency, to judge the USD list-clearance limit",
        )
        tax = TaxSerializer(required=False, help_text="give both rates for a duty/VAT estimate")

        def validate_arrival_date(self, value):
            today = timezone.localdate()
            if not (today - datetime.timedelta(days=365) <= value <= today + datetime.timedelta(days=90)):
                raise serializers.ValidationError(
                    _("The arrival date must be within the past year or the next 90 days."), code="PCC_ARRIVAL_DATE"
                )
            return value

        def validate_items(self, items):
            if len({item["currency"] for item in items}) > 1:
                raise serializers.ValidationError(
                    _("All items of a declaration must be priced in the same currency."), code="PCC_CURRENCY_MIXED"
                )
            return items

    class OutputSerializer(serializers.Serializer):
        declaration_number = serializers.CharField()
        type = serializers.CharField()
        clearance = serializers.CharField()
        pcc = serializers.CharField(help_text="masked")
        created = serializers.BooleanField(help_text="false when this number had been filed already")
        filed_at = serializers.DateTimeField()
        list_clearance = ListClearanceSerializer(allow_null=True)
        tax_estimate = TaxEstimateSerializer(allow_null=True)

    input_serializer_class = InputSerializer

    @extend_schema(
        operation_id="file_declaration",
        summary="File a declaration with a verified code (idempotent on the declaration number)",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            201: OutputSerializer,
            **BODY_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The number was filed with another code"),
            422: OpenApiResponse(ErrorSerializer, description="The code did not verify; nothing recorded"),
        },
    )
    def post(self, request):
        data = self.validated(request)
        tax = data.get("tax") or {}
        filing = declaration_file(
            client=self.client,
            data=DeclarationInput(
                number=_declaration_number(data["declaration_number"]),
                kind=data["type"],
                clearance=data["clearance"],
                pcc=data["pcc"],
                consignee_name=data["consignee"]["name"],
                consignee_phone=data["consignee"]["phone"],
                consignee_postcode=data["consignee"]["postcode"],
                supplier=data["supplier"],
                arrival_date=data["arrival_date"],
                items=tuple(assessment.Item(**item) for item in data["items"]),
                shipped_from=data["shipped_from"],
                usd_per_unit=data.get("usd_per_unit"),
                exchange_rate=tax.get("exchange_rate"),
                duty_rate=tax.get("duty_rate"),
                freight_krw=tax.get("freight_krw", 0),
            ),
            ip_address=client_ip(request),
        )
        declaration = filing.declaration
        list_clearance = filing.list_clearance
        body = {
            "declaration_number": declaration.number,
            "type": declaration.kind,
            "clearance": declaration.clearance,
            "pcc": mask_code(declaration.code.number),
            "created": filing.created,
            "filed_at": declaration.filed_at,
            "list_clearance": None
            if list_clearance is None
            else dataclasses.asdict(list_clearance) | {"reasons": list_clearance.messages()},
            "tax_estimate": None if filing.tax_estimate is None else dataclasses.asdict(filing.tax_estimate),
        }
        status_code = status.HTTP_201_CREATED if filing.created else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=status_code)
