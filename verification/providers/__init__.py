"""Outside parties behind small interfaces (base.py), chosen by settings; `simulated_*` modules are the
simulated providers this product ships with, real integrations replace them without touching journeys."""

from django.conf import settings
from django.utils.module_loading import import_string


def real_name_registry():
    return import_string(settings.PCC_REAL_NAME_REGISTRY)()
