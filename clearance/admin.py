"""API clients in Django's admin (administrators only: staff/admin_site.py). Creating a client, rotating
its key and switching it on or off go through clearance.services, so a key is only ever shown once,
in the message after the action, and only its hash is stored. The call log is read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from clearance.models import ApiClient, CodeCheck
from clearance.services import api_client_create, api_client_rotate_key, api_client_set_active
from issuance.admin import ReadOnlyAdmin


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "scopes", "rate_limit", "is_active", "created_at", "key_rotated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix")
    fields = ("name", "scopes", "rate_limit", "key_prefix", "is_active", "created_at", "key_rotated_at", "disabled_at")
    readonly_fields = ("key_prefix", "is_active", "created_at", "key_rotated_at", "disabled_at")
    actions = ["rotate_key", "disable", "enable"]

    def has_delete_permission(self, request, obj=None):
        return False  # the call log points at clients: disable one instead

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "scopes", "rate_limit"])
            return
        client, key = api_client_create(name=obj.name, scopes=obj.scopes, rate_limit=obj.rate_limit)
        obj.pk = client.pk
        obj.key_prefix = client.key_prefix
        self.message_user(
            request, _("Key of %(name)s (shown once, copy it now): %(key)s") % {"name": client.name, "key": key}
        )

    @admin.action(description=_("Rotate the key (the old one stops working at once)"))
    def rotate_key(self, request, queryset):
        for client in queryset:
            self._show_key(request, client, api_client_rotate_key(client=client))

    def _show_key(self, request, client, key):
        message = _("Key of %(name)s (shown once, copy it now): %(key)s") % {"name": client.name, "key": key}
        self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Disable (its key is refused at once)"))
    def disable(self, request, queryset):
        for client in queryset:
            api_client_set_active(client=client, active=False)
        self.message_user(request, _("Disabled."), messages.SUCCESS)

    @admin.action(description=_("Enable"))
    def enable(self, request, queryset):
        for client in queryset:
            api_client_set_active(client=client, active=True)
        self.message_user(request, _("Enabled."), messages.SUCCESS)


@admin.register(CodeCheck)
class CodeCheckAdmin(ReadOnlyAdmin):
    """Which client checked which code record, when, and the answer; never the values submitted."""

    list_display = ("id", "occurred_at", "client", "channel", "result", "reasons", "code_id", "sealed")
    list_filter = ("channel", "result", "sealed")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    show_full_result_count = False
    actions = None
    list_select_related = ("client",)
    fields = readonly_fields = (
        "occurred_at",
        "client",
        "channel",
        "result",
        "reasons",
        "code_id",
        "holder_id",
        "fields",
        "ip_address",
        "sealed",
    )
