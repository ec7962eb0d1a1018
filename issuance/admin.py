"""Thin admin for reference data and the code registry. Holders (personal data) are deliberately not
here: staff views of personal data need access records, which the staff/admin issue builds."""

from django.contrib import admin

from issuance.models import Code, CodeEvent, CustomsOffice


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ko", "postcode", "phone")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "expires_on", "channel", "office", "is_legacy", "issued_at")
    list_filter = ("status", "channel", "office", "is_legacy")
    search_fields = ("=number",)
    exclude = ("holder",)
    date_hierarchy = "issued_at"


@admin.register(CodeEvent)
class CodeEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "code", "kind", "channel", "office", "method", "actor_type", "reason")
    list_filter = ("kind", "channel", "office", "method", "actor_type")
    search_fields = ("=code__number",)
    exclude = ("holder",)
    date_hierarchy = "occurred_at"
