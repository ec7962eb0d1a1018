"""Spreadsheets of checks over the JSON API v1 (issue 7): upload, progress, result. Thin: the rules
are in clearance/bulk.py and clearance/spreadsheets.py."""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from audit.services import client_ip
from clearance import bulk, spreadsheets
from clearance.apis import BODY_ERRORS, ERRORS, ApiView, ErrorSerializer
from clearance.models import ApiScope, BulkStatus

FILE_REQUIRED_MESSAGE = _("Send the spreadsheet as the form field “file” of a multipart/form-data request.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such job of this client's (PCC_NOT_FOUND)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetUploadHandler(FileUploadHandler):
    """Keeps the upload in memory, never in a temporary file (its rows hold names and phone numbers),
    and stops reading past BULK_VERIFICATION_MAX_BYTES, counted over every file of the request."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.BULK_VERIFICATION_MAX_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)  # read the rest, so the client gets the 400
        self.buffer.write(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


@extend_schema_serializer(component_name="BulkVerificationAccepted")
class AcceptedSerializer(serializers.Serializer):
    """What the upload answers (202); the job's status adds its progress and times."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=BulkStatus.choices)
    rows_total = serializers.IntegerField()
    status_url = serializers.URLField()
    result_url = serializers.URLField(help_text="answers 409 until status is done")


@extend_schema_serializer(component_name="BulkVerification")
class JobSerializer(AcceptedSerializer):
    file_format = serializers.CharField()
    filename = serializers.CharField()
    rows_done = serializers.IntegerField()
    rows_matched = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="rows done, in percent of rows_total")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def _job_body(request, job) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "file_format": job.file_format,
        "filename": job.filename,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "rows_matched": job.rows_matched,
        "percent": bulk.bulk_verification_percent(job),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "status_url": request.build_absolute_uri(reverse("api_bulk_verification", args=[job.pk])),
        "result_url": request.build_absolute_uri(reverse("api_bulk_verification_result", args=[job.pk])),
    }


class BulkApiView(ApiView):
    required_scope = ApiScope.BULK

    def job(self, job_id):
        job = bulk.bulk_verification_of(client=self.client, job_id=job_id)
        if job is None:
            raise Http404
        return job


class BulkVerificationCreateApi(BulkApiView):
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="BulkVerificationUpload")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            allow_empty_file=True,  # an empty file gets the spreadsheet's own message
            use_url=False,
            error_messages={"required": FILE_REQUIRED_MESSAGE, "invalid": FILE_REQUIRED_MESSAGE},
            help_text=(
                "CSV (UTF-8 or CP949/EUC-KR) or Excel workbook (.xlsx): a header row naming pcc, name, phone "
                "and postcode (or 통관고유부호, 성명, 전화번호, 우편번호), then up to 100,000 rows."
            ),
        )

    input_serializer_class = InputSerializer

    def initialize_request(self, request, *args, **kwargs):
        # Before DRF reads the body: the upload goes to memory, and no further than the limit.
        self.upload_handler = SpreadsheetUploadHandler(request)
        request.upload_handlers = [self.upload_handler]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="bulk_verification_create",
        summary="Verify a spreadsheet of codes (CSV or XLSX, up to 100,000 rows); answers at once with a job",
        description=(
            "Rows that cannot be checked (a missing or malformed code, a missing name…) never stop the job: "
            "each row gets its own result and reasons. The file as a whole is refused (400) when it is not "
            "CSV or XLSX, lacks the header row or one of its columns, has no rows, more than 100,000 rows, or "
            "is too large. The result's messages are in Korean unless the request asks for English "
            "(Accept-Language: en)."
        ),
        request={"multipart/form-data": InputSerializer},
        responses={202: AcceptedSerializer, **BODY_ERRORS},
    )
    def post(self, request):
        request.data  # noqa: B018 -- parse the body now, so the handler has seen the whole upload
        if self.upload_handler.too_large:
            raise spreadsheets.file_too_large_error(
                max_bytes=settings.BULK_VERIFICATION_MAX_BYTES, max_rows=settings.BULK_VERIFICATION_MAX_ROWS
            )
        data = self.validated(request)
        job = bulk.bulk_verification_create(
            client=self.client,
            upload=data["file"],
            language=(translation.get_language() or "ko")[:2],
            ip_address=client_ip(request),
        )
        body = _job_body(request, job)
        response = Response(AcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = body["status_url"]
        return response


class BulkVerificationDetailApi(BulkApiView):
    @extend_schema(
        operation_id="bulk_verification_status",
        summary="A spreadsheet job's status and progress",
        responses={200: JobSerializer, **ERRORS, 404: NOT_FOUND},
    )
    def get(self, request, job_id):
        job = self.job(job_id)
        response = Response(JobSerializer(_job_body(request, job)).data)
        add_never_cache_headers(response)
        return response


class AnyAccept(BaseContentNegotiation):
    """The result is a file whatever the Accept header says; an error is JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class BulkVerificationResultApi(BulkApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="bulk_verification_result",
        summary="The spreadsheet given back with result, reason and message columns",
        description=(
            "The same format as uploaded: every uploaded column, then `result` (match, mismatch or refused), "
            "`reason` (reason codes, space-separated) and `message` (what they mean). Cells that a spreadsheet "
            "program would run as a formula start with an apostrophe."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="uploaded as CSV"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="uploaded as XLSX"),
            **ERRORS,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="Not done yet (PCC_BULK_NOT_DONE) or failed (PCC_BULK_FAILED)"
            ),
        },
    )
    def get(self, request, job_id):
        result = bulk.bulk_verification_result(job=self.job(job_id))
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = result.content_disposition
        add_never_cache_headers(response)  # the rows hold names and phone numbers
        return response
