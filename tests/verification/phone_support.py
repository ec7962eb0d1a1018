"""Shared steps of the phone-method tests (mobile, simple certification, the simulated phone).

Plain functions rather than fixtures, so each test module states its own fixtures."""

import re

from captcha.models import CaptchaStore
from django.urls import reverse

from issuance.demo import DEMO_PEOPLE
from personal_data.identity import parse_resident_number
from verification.models import IdentityCheck
from verification.selectors import phone_message_list, telecom_subscriber_find_by_phone
from verification.services import identity_check_start

NGUYEN = next(p for p in DEMO_PEOPLE if p.english_name == "NGUYEN VAN AN")  # SKT, has a code
TANAKA = next(p for p in DEMO_PEOPLE if p.english_name == "TANAKA YUKI")  # KT, no code yet
KARIMOV = next(p for p in DEMO_PEOPLE if p.english_name == "KARIMOV ALISHER")  # MVNO, line in another name
PARK = next(p for p in DEMO_PEOPLE if p.english_name == "PARK JIHOON")  # identity-theft protection
KIM = next(p for p in DEMO_PEOPLE if p.english_name == "KIM MINJUN")  # Korean, name in Hangul


def check_for(person, *, purpose: str = "new", session=None) -> IdentityCheck:
    """An identity check that passed the real-name step, as the entry page makes it."""
    return identity_check_start(
        session=session if session is not None else {}, purpose=purpose, name=person.name, resident_number=person.rrn
    )


def facts(person) -> dict:
    """What the mobile form asks, as the person's subscriber record has it (their own line)."""
    rrn = parse_resident_number(person.rrn)
    return {
        "telecom": person.telecom,
        "name": person.subscriber_name or person.name,
        "birth_date": rrn.birth_date,
        "sex": rrn.sex,
        "is_foreigner": rrn.is_foreigner,
        "phone": person.phone,
    }


def captcha_answer(client, url: str) -> dict:
    """Open the form and read its captcha as a person reads the picture (the answer is stored with
    the picture's key; each picture can be answered once)."""
    html = client.get(url).content.decode()
    hashkey = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": hashkey, "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response}


def start_form(client, person, **overrides) -> dict:
    """The mobile start form as a person fills it in, with a freshly read captcha."""
    rrn = parse_resident_number(person.rrn)
    data = {
        "channel": "sms",
        "telecom": person.telecom,
        "name": person.subscriber_name or person.name,
        "birth_date": f"{rrn.birth_date:%Y%m%d}",
        "sex": rrn.sex,
        "nationality": "foreign" if rrn.is_foreigner else "korean",
        "phone": person.phone,
        **captcha_answer(client, reverse("verification:mobile-start")),
    }
    data.update(overrides)
    return data


def real_name_passed(client, person, *, purpose: str = "new") -> None:
    response = client.post(
        reverse("verification:real_name", args=[purpose]), {"name": person.name, "resident_number": person.rrn}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("verification:methods")


def sms_messages(person) -> list[str]:
    subscriber = telecom_subscriber_find_by_phone(phone=person.phone)
    return [message.body for message in phone_message_list(subscriber=subscriber)]


def latest_code(person) -> str:
    """The code as the person reads it on their phone (the simulated phone's inbox)."""
    bodies = sms_messages(person)
    assert bodies, "no SMS arrived"
    return re.search(r"\b([0-9]{6})\b", bodies[0]).group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
