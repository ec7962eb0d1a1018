from django.apps import AppConfig
from django.core.signals import setting_changed


class PersonalDataConfig(AppConfig):
    name = "personal_data"
    verbose_name = "Encrypted personal-data store"

    def ready(self):
        from personal_data.keyring import reset_keyring

        def _reset_on_key_change(*, setting, **kwargs):
            if setting in ("PCC_MASTER_KEYS", "PCC_BLIND_INDEX_KEY"):
                reset_keyring()

        setting_changed.connect(_reset_on_key_change, weak=False)
