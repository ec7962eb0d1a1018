from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    default = True
    name = "staff"
    verbose_name = "Customs staff"


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin behind the staff login (password + TOTP), for administrators only."""

    default = False
    default_site = "staff.admin_site.PortalAdminSite"
