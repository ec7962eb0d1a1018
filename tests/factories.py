"""Factories for application inputs. Resident numbers are unique per test run and always valid."""

import datetime

import factory

from issuance.models import ActorType, Channel, MobileOwnership, VerificationMethod
from issuance.services import Actor, DeliveryAddressInput, HolderDetails


def _resident_number(n: int) -> str:
    # Foreigners born in the 1990s (digit 7 = 5/6); the serial makes each one unique.
    birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=n % 3650)
    return f"{birth:%y%m%d}-{5 + n % 2}{n:06d}"


class HolderDetailsFactory(factory.Factory):
    class Meta:
        model = HolderDetails

    name = factory.Sequence(lambda n: f"TESTPERSON ALPHA {chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}")
    english_name = factory.SelfAttribute("name")
    nationality = "VN"
    resident_number = factory.Sequence(_resident_number)
    address = "서울특별시 중구 세종대로 110 시험동 101호"
    postcode = "04524"
    email = factory.Sequence(lambda n: f"holder{n}@example.org")
    mobile_ownership = MobileOwnership.OWN_NAME
    mobile = factory.Sequence(lambda n: f"010-3{n // 10000 % 1000:03d}-{n % 10000:04d}")
    telephone = "02-2100-2114"
    language = "en"
    sms_consent = True
    delivery_addresses = (DeliveryAddressInput(address="부산광역시 해운대구 해운대해변로 264", postcode="48099"),)


ONLINE = Actor(channel=Channel.ONLINE, actor_type=ActorType.HOLDER, method=VerificationMethod.MOBILE)
