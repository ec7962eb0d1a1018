from django.apps import AppConfig


class ClearanceConfig(AppConfig):
    """Machine clients of the code: forwarders and the clearance system (issue 7, DOMAIN.md §6, §8)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clearance"
