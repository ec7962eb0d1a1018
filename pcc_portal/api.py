"""The one error shape of the JSON API (HackSoft styleguide `api/exception_handlers.py`):

    {"code": "PCC_…", "message": {"ko": "…", "en": "…"},
     "fields": {"items.0.price": [{"code": "max_digits", "message": {"ko": "…", "en": "…"}}]},   # validation only
     "reasons": ["PCC_NAME_MISMATCH", …]}                                                       # verification only

Every DRF and domain error goes through `api_exception_handler`; views never build error bodies.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, status
from rest_framework.response import Response

from clearance import matching
from pcc_portal.exceptions import ApplicationError, flatten_errors, messages_in_both

VALIDATION = "PCC_VALIDATION"
_DRF_ERRORS = {
    exceptions.NotAuthenticated: (matching.API_KEY_MISSING, matching.REASON_MESSAGES[matching.API_KEY_MISSING]),
    exceptions.AuthenticationFailed: (matching.API_KEY_INVALID, matching.REASON_MESSAGES[matching.API_KEY_INVALID]),
    exceptions.PermissionDenied: (matching.SCOPE_MISSING, matching.REASON_MESSAGES[matching.SCOPE_MISSING]),
    exceptions.Throttled: (matching.RATE_LIMITED, matching.REASON_MESSAGES[matching.RATE_LIMITED]),
    exceptions.ParseError: ("PCC_REQUEST_MALFORMED", _("The request body could not be read. Send valid JSON.")),
    exceptions.UnsupportedMediaType: (
        "PCC_MEDIA_TYPE",
        _(
            "This content type is not accepted here. Send JSON, or a file as multipart/form-data "
            "where a file is asked for."
        ),
    ),
    exceptions.MethodNotAllowed: ("PCC_METHOD_NOT_ALLOWED", _("This method is not allowed here.")),
    exceptions.NotAcceptable: (
        "PCC_NOT_ACCEPTABLE",
        _("This response format is not available. Accept application/json."),
    ),
    exceptions.NotFound: ("PCC_NOT_FOUND", _("Nothing was found at this address.")),
}
VALIDATION_MESSAGE = _("Some fields are missing or not valid. See `fields` for each one.")


def error_body(code: str, message, **extra) -> dict:
    return {"code": code, "message": messages_in_both(message), **extra}


def _validation_fields(exc: exceptions.ValidationError, context) -> dict:
    """Each field's errors in both languages. DRF renders messages when it validates, so the input is
    validated again under each language — only on this error path."""
    view = context.get("view")
    request = context.get("request")
    serializer_class = getattr(view, "input_serializer_class", None)
    by_language = {}
    for language in ("ko", "en"):
        if serializer_class is None or request is None:
            by_language[language] = flatten_errors(exc.detail)
            continue
        with translation.override(language):
            serializer = serializer_class(data=request.data, context={"request": request, "view": view})
            serializer.is_valid()
            by_language[language] = flatten_errors(serializer.errors or exc.detail)
    fields = {}
    for path, details in by_language["en"].items():
        korean = by_language["ko"].get(path, details)
        fields[path] = [
            {"code": getattr(detail, "code", "invalid"), "message": {"ko": str(ko), "en": str(detail)}}
            for detail, ko in zip(details, korean, strict=False)
        ]
    return fields


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exceptions.as_serializer_error(exc))

    if isinstance(exc, ApplicationError):
        status_code = exc.extra.get("status", status.HTTP_400_BAD_REQUEST)
        body = {"code": exc.code, "message": exc.messages()}
        body.update({key: value for key, value in exc.extra.items() if key != "status"})
        return Response(body, status=status_code)
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(VALIDATION, VALIDATION_MESSAGE, fields=_validation_fields(exc, context))
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code, message = next(
            (value for kind, value in _DRF_ERRORS.items() if isinstance(exc, kind)),
            ("PCC_REQUEST_REFUSED", _("The request was refused.")),
        )
        response = Response(error_body(code, message), status=exc.status_code)
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    return None  # anything else is a bug: Django's 500 handling and logging take over


class ApiAutoSchema(AutoSchema):
    """Names a view's nested serializers after the view: `VerificationApi.InputSerializer` becomes the
    component `VerificationInput`, `DeclarationApi.InputSerializer` becomes `DeclarationInput`. By class
    name alone (drf-spectacular's default) both are `Input`, and one view's schema silently replaces the
    other's in /api/schema/. Used as REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        owner = type(serializer).__qualname__.rpartition(".")[0].rpartition(".")[2]
        return f"{owner.removesuffix('Api')}{name}" if owner.isidentifier() else name
