"""SIMULATED national registry (the demo people of `seed_demo`). Real behaviour: normalised name
comparison, unknown numbers, and people enrolled in identity-theft protection refused (seed 001 Q3)."""

from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.identity import normalise_name
from verification.models import SimulatedRegistryPerson
from verification.providers.base import RegistryAnswer


class SimulatedRealNameRegistry:
    def check(self, *, name: str, resident_number: str, in_person: bool = False) -> RegistryAnswer:
        person = (
            SimulatedRegistryPerson.objects.select_related("data_key")
            .filter(resident_number_index=blind_index_of("resident_number", resident_number))
            .first()
        )
        if person is None:
            raise ApplicationError(
                "PCC_REALNAME_UNKNOWN",
                _(
                    "No one with this registration number was found. Check the number on your alien "
                    "registration card or resident registration card and try again."
                ),
            )
        if person.identity_theft_protection and not in_person:
            raise ApplicationError(
                "PCC_REALNAME_THEFT_PROTECTED",
                _(
                    "Your name is enrolled in an identity-theft prevention service, so the real-name check "
                    "cannot pass online. Call the KCB customer centre at 02-708-1000 (press 4, 3, 0) to "
                    "check the service, or apply at a customs office."
                ),
            )
        if normalise_name(person.name) != normalise_name(name):
            raise ApplicationError(
                "PCC_REALNAME_NAME_MISMATCH",
                _(
                    "The name does not match the registration number. Enter the name exactly as on your "
                    "card, in capital letters; spaces are ignored (COI ZHUNA and COIZHUNA are the same)."
                ),
            )
        return RegistryAnswer(nationality=str(person.nationality))
