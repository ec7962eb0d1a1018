"""The access records in Django's admin (administrators only: staff/admin_site.py): read-only. Nothing
can be added, changed or deleted here, even by an administrator (who is a Django superuser); the
database refuses it anyway (pcc_portal/append_only.py). Opening the list or one record is an audit
activity and writes an access record, as the auditors' pages do (audit/views.py)."""

from django.contrib import admin

from audit.models import AccessAction, AccessPurpose, AccessRecord
from audit.selectors import COLUMNS, LIST_RECORD_TYPE
from audit.services import access_record_for_request
from issuance.admin import ReadOnlyAdmin


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "sequence",
        "occurred_at",
        "actor_username",
        "actor_role",
        "actor_office",
        "ip_address",
        "action",
        "purpose",
        "record_type",
        "record_id",
    )
    list_filter = ("action", "purpose", "actor_type", "actor_role", "actor_office", "record_type")
    search_fields = ("actor_username",)
    date_hierarchy = "occurred_at"
    ordering = ("-sequence",)
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer on a table that only grows
    actions = None
    # Raw ids, not the related objects' names: the holder's id only, and no query per row.
    fields = readonly_fields = (
        "sequence",
        "occurred_at",
        "actor_type",
        "actor_user_id",
        "actor_username",
        "actor_role",
        "actor_office",
        "ip_address",
        "action",
        "purpose",
        "reason",
        "record_type",
        "record_id",
        "holder_id",
        "fields",
        "previous_hash",
        "hash",
    )

    def _record_view(self, request, record_id: str) -> None:
        access_record_for_request(
            request,
            action=AccessAction.VIEW,
            purpose=AccessPurpose.AUDIT,
            record_type=LIST_RECORD_TYPE,
            record_id=record_id,
            fields=COLUMNS,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._record_view(request, "admin list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._record_view(request, f"admin {object_id}"[:64])
        return response
