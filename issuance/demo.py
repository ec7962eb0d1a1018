"""Demo data for the embedded run and black-box tests: fictional people, never real ones.

`demo_data_seed()` is idempotent: people are found by their blind index and created only once; codes
are random, so `demo_holders_export()` reads what the database holds rather than a fixed list.
"""

import base64
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from issuance.codes import code_generate
from issuance.models import (
    ActorType,
    Channel,
    Code,
    CodeStatus,
    ConsentKind,
    CustomsOffice,
    Holder,
    MobileOwnership,
    SuspensionReason,
    VerificationMethod,
)
from issuance.selectors import (
    code_current_for_holder,
    holder_find_by_passport,
    holder_find_by_resident_number,
)
from issuance.services import (
    Actor,
    DeliveryAddressInput,
    HolderDetails,
    code_import_legacy,
    code_issue,
    code_suspend,
    codes_process_expiry,
)
from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.contact import format_phone_national, normalise_phone
from personal_data.identity import parse_resident_number
from personal_data.services import data_key_create
from verification.models import SimulatedRegistryPerson, SimulatedTelecomSubscriber

DEMO_STAFF_PASSWORD = "pcc-demo-2026"  # noqa: S105 — printed on purpose; demo data is refused in production
DEMO_CERTIFICATE_PASSWORD = "pcc-demo-cert-2026"  # noqa: S105 — the demo certificate bundles' password
DEMO_CERTIFICATE_DIR = settings.BASE_DIR / "var" / "demo-certificates"  # git-ignored


@dataclass(frozen=True)
class DemoPerson:
    name: str
    english_name: str
    rrn: str
    nationality: str
    telecom: str
    phone: str
    address: str
    postcode: str
    email: str
    language: str
    holder_state: str | None = None  # active | suspended | expired | legacy | None (no code yet)
    sms_consent: bool = False
    identity_theft_protection: bool = False
    subscriber_name: str | None = None  # the phone's subscriber name when it differs from the ARC name
    delivery: tuple[tuple[str, str], ...] = ()


DEMO_PEOPLE = (
    DemoPerson(
        "NGUYEN VAN AN",
        "NGUYEN VAN AN",
        "900101-5123456",
        "VN",
        "SKT",
        "010-2000-0001",
        "서울특별시 마포구 월드컵북로 396",
        "03925",
        "an.nguyen@example.com",
        "en",
        "active",
        sms_consent=True,
        delivery=(("경기도 성남시 분당구 판교역로 235", "13494"),),
    ),
    DemoPerson(
        "SANTOS MARIA CLARA",
        "SANTOS MARIA CLARA",
        "920315-6234567",
        "PH",
        "KT",
        "010-2000-0002",
        "경기도 안산시 단원구 원곡로 45",
        "15345",
        "maria.santos@example.com",
        "en",
        "active",
    ),
    DemoPerson(
        "SMITH JOHN",
        "SMITH JOHN",
        "850707-5345678",
        "US",
        "LGU",
        "010-2000-0003",
        "서울특별시 용산구 이태원로 177",
        "04401",
        "john.smith@example.com",
        "en",
        "suspended",
        sms_consent=True,
    ),
    DemoPerson(
        "WANG LI",
        "WANG LI",
        "010220-8456789",
        "CN",
        "MVNO",
        "010-2000-0004",
        "인천광역시 연수구 송도과학로 32",
        "21984",
        "wang.li@example.com",
        "en",
        "expired",
    ),
    DemoPerson(
        "김민준",
        "KIM MINJUN",
        "880412-1567890",
        "KR",
        "SKT",
        "010-2000-0005",
        "부산광역시 해운대구 센텀중앙로 79",
        "48058",
        "minjun.kim@example.com",
        "ko",
        "legacy",
        sms_consent=True,
    ),
    DemoPerson(
        "TANAKA YUKI",
        "TANAKA YUKI",
        "980923-6678901",
        "JP",
        "KT",
        "010-2000-0006",
        "서울특별시 종로구 세종대로 175",
        "03172",
        "yuki.tanaka@example.com",
        "en",
    ),
    DemoPerson(
        "박지훈",
        "PARK JIHOON",
        "030514-3789012",
        "KR",
        "LGU",
        "010-2000-0007",
        "대구광역시 중구 동덕로 130",
        "41940",
        "jihoon.park@example.com",
        "ko",
        identity_theft_protection=True,
    ),
    DemoPerson(
        "KARIMOV ALISHER",
        "KARIMOV ALISHER",
        "930630-5890123",
        "UZ",
        "MVNO",
        "010-2000-0008",
        "광주광역시 광산구 하남산단8번로 177",
        "62212",
        "alisher.karimov@example.com",
        "en",
        subscriber_name="RAHIMOV BOBUR",
    ),
)

# Issued at a counter from a passport: no resident number, so not in the registry and not online.
DEMO_PASSPORT_HOLDER = {
    "name": "BROWN EMMA",
    "english_name": "BROWN EMMA",
    "passport_number": "GB1234567",
    "nationality": "GB",
    "birth_date": datetime.date(1991, 8, 19),
    "phone": "010-2000-0009",
    "address": "인천광역시 중구 공항로 272",
    "postcode": "22382",
    "email": "emma.brown@example.com",
}


class DemoDataRefused(Exception):
    pass


def _registry_person_ensure(person: DemoPerson) -> None:
    index = blind_index_of("resident_number", person.rrn)
    if SimulatedRegistryPerson.objects.filter(resident_number_index=index).exists():
        return
    rrn = parse_resident_number(person.rrn)
    SimulatedRegistryPerson.objects.create(
        data_key=data_key_create(),
        resident_number=rrn.digits,
        name=person.name,
        english_name=person.english_name,
        birth_date=rrn.birth_date,
        sex=rrn.sex,
        nationality=person.nationality,
        identity_theft_protection=person.identity_theft_protection,
    )
    SimulatedTelecomSubscriber.objects.create(
        data_key=data_key_create(),
        telecom=person.telecom,
        phone=normalise_phone(person.phone),
        subscriber_name=person.subscriber_name or person.name,
        birth_date=rrn.birth_date,
        sex=rrn.sex,
        is_foreigner=rrn.is_foreigner,
    )


def _details(person: DemoPerson) -> HolderDetails:
    return HolderDetails(
        name=person.name,
        english_name=person.english_name,
        nationality=person.nationality,
        resident_number=person.rrn,
        address=person.address,
        postcode=person.postcode,
        email=person.email,
        mobile_ownership=MobileOwnership.OWN_NAME,
        mobile=person.phone,
        language=person.language,
        sms_consent=person.sms_consent,
        delivery_addresses=tuple(DeliveryAddressInput(address=a, postcode=p) for a, p in person.delivery),
    )


def _holder_ensure(person: DemoPerson) -> None:
    if person.holder_state is None or holder_find_by_resident_number(person.rrn) is not None:
        return
    online = Actor(channel=Channel.ONLINE, actor_type=ActorType.HOLDER, method=VerificationMethod.MOBILE)
    if person.holder_state == "legacy":
        number = code_generate(year=2024)
        code_import_legacy(number=number, details=_details(person), issued_on=datetime.date(2024, 5, 2))
        return
    code = code_issue(details=_details(person), actor=online)
    if person.holder_state == "suspended":
        code_suspend(code=code, reason=SuspensionReason.THEFT_REPORT, actor=online)
    elif person.holder_state == "expired":
        # Demo only: move the expiry into the past, then let the real expiry job expire it.
        Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=10))
        codes_process_expiry()


def _passport_holder_ensure(office: CustomsOffice) -> None:
    data = DEMO_PASSPORT_HOLDER
    if holder_find_by_passport(passport_number=data["passport_number"], nationality=data["nationality"]):
        return
    counter = Actor(
        channel=Channel.COUNTER,
        actor_type=ActorType.STAFF,
        method=VerificationMethod.PASSPORT,
        office=office,
    )
    code_issue(
        details=HolderDetails(
            name=data["name"],
            english_name=data["english_name"],
            nationality=data["nationality"],
            passport_number=data["passport_number"],
            birth_date=data["birth_date"],
            address=data["address"],
            postcode=data["postcode"],
            email=data["email"],
            mobile_ownership=MobileOwnership.OWN_NAME,
            mobile=data["phone"],
            language="en",
        ),
        actor=counter,
    )


def _staff_ensure() -> list[dict]:
    """Demo staff with a known password and an enrolled authenticator whose secret is printed, so a
    newcomer can sign in with any TOTP app (or `manage.py demo_totp_code USERNAME`)."""
    from staff.roles import Role
    from staff.services import staff_account_create, staff_demo_totp_device, staff_profile_of, staff_role_set

    user_model = get_user_model()
    accounts = [(f"officer.{office.code}", Role.COUNTER_OFFICER, office) for office in CustomsOffice.objects.all()]
    accounts += [
        ("supervisor.seoul", Role.SUPERVISOR, CustomsOffice.objects.get(code="seoul")),
        ("admin", Role.ADMINISTRATOR, None),
        ("auditor", Role.AUDITOR, None),
    ]
    logins = []
    for username, role, office in accounts:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = staff_account_create(username=username, password=DEMO_STAFF_PASSWORD, role=role, office=office)
        elif staff_profile_of(user) is None:  # a database seeded before staff roles existed
            staff_role_set(user=user, role=role, office=office)
        device = staff_demo_totp_device(user)
        logins.append(
            {
                "username": username,
                "password": DEMO_STAFF_PASSWORD,
                "role": str(role),
                "office": office.code if office else "",
                "totp_secret": base64.b32encode(device.bin_key).decode("ascii"),
            }
        )
    return logins


def customs_offices_ensure() -> None:
    """The five main offices (also loaded by migration issuance/0002), restored if a flush emptied them."""
    from issuance.offices import MAIN_CUSTOMS_OFFICES

    for office in MAIN_CUSTOMS_OFFICES:
        CustomsOffice.objects.update_or_create(code=office["code"], defaults=office)


def demo_certificates_write(directory=None) -> list:
    """A joint-certificate bundle file for each demo person who can pass the real-name check, written
    once (an existing file is kept, so reruns do not issue new certificates)."""
    from verification.certificate_files import certificate_bundle_write
    from verification.certificates import certificate_issue_for_person

    directory = directory or DEMO_CERTIFICATE_DIR
    written = []
    for person in DEMO_PEOPLE:
        if person.identity_theft_protection:
            continue
        path = directory / f"{person.english_name.lower().replace(' ', '-')}.json"
        if not path.exists():
            registry_person = SimulatedRegistryPerson.objects.select_related("data_key").get(
                resident_number_index=blind_index_of("resident_number", person.rrn)
            )
            bundle = certificate_issue_for_person(person=registry_person, password=DEMO_CERTIFICATE_PASSWORD)
            certificate_bundle_write(bundle=bundle, path=path)
        written.append(path)
    return written


def demo_data_seed() -> list[dict]:
    """Create the demo people, holders and staff once; returns the staff logins to print."""
    if not settings.PCC_DEMO_DATA_ALLOWED:
        raise DemoDataRefused("Demo data is refused here: PCC_DEMO_DATA_ALLOWED is off (production).")
    with transaction.atomic():
        customs_offices_ensure()
        for person in DEMO_PEOPLE:
            _registry_person_ensure(person)
            try:
                _holder_ensure(person)
            except ApplicationError as error:
                if error.code != "PCC_ALREADY_HOLDS_CODE":
                    raise
        _passport_holder_ensure(CustomsOffice.objects.get(code="incheon"))
        return _staff_ensure()


def demo_holders_export() -> list[dict]:
    """The demo holders as plain values, for scripts and black-box tests (fictional people)."""
    rows = []
    holders = Holder.objects.select_related("data_key").filter(erased_at__isnull=True).order_by("created_at")
    for holder in holders:
        code = code_current_for_holder(holder)
        if code is None:
            continue
        rows.append(
            {
                "code": code.number,
                "status": code.status,
                "expires_on": code.expires_on.isoformat(),
                "name": holder.name,
                "english_name": holder.english_name,
                "rrn": parse_resident_number(holder.resident_number).formatted if holder.resident_number else None,
                "passport_number": holder.passport_number,
                "phone": format_phone_national(holder.mobile) if holder.mobile else None,
                "postcode": holder.postcode,
                "delivery_postcodes": [d.postcode for d in holder.delivery_addresses.all()],
                "sms_consent": holder.consents.filter(kind=ConsentKind.SMS_NOTICES, withdrawn_at__isnull=True).exists(),
                "language": holder.language,
                "online_lookup": code.status != CodeStatus.TERMINATED and holder.resident_number is not None,
            }
        )
    return rows


DEMO_API_CLIENT = "Demo forwarder"


def demo_api_client_key() -> str:
    """The demo forwarder's key, new at every seeding (keys are stored hashed and shown only once), so
    `make run` can print a key that works with a forwarder's existing UNI-PASS client (issue 7)."""
    from clearance.models import ApiClient, ApiScope
    from clearance.services import api_client_create, api_client_rotate_key

    client = ApiClient.objects.filter(name=DEMO_API_CLIENT).first()
    if client is None:
        return api_client_create(name=DEMO_API_CLIENT, scopes=ApiScope.values, rate_limit="600/m")[1]
    return api_client_rotate_key(client=client)
