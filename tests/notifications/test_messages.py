"""The text of each notice (issue 6; DOMAIN.md §8): rendered in the holder's language, Korean or English,
with the code and the declaration number masked; counted in EUC-KR bytes, as Korean carriers count
them, to choose SMS (up to 90 bytes) or LMS (up to 2,000); every declaration notice says how to report
misuse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from issuance.codes import mask_code
from notifications.gateways.base import sms_message_check
from notifications.messages import (
    LMS_MAX_BYTES,
    SMS_MAX_BYTES,
    MessageTooLong,
    euc_kr_bytes,
    message_type_for,
    notice_message,
)
from notifications.models import MessageType, NoticeChannel, NoticeKind
from personal_data.masking import mask_declaration_number

CODE = "P261234565678"
DECLARATION = "43120-26-0012345M"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"
# What the services write into a notice's context (notifications.services._context): masked values only.
CONTEXT = {
    "code": mask_code(CODE),
    "expires_on": "2027-05-14",
    "declaration": mask_declaration_number(DECLARATION),
    "declaration_kind": "import",
    "days_left": 30,
}
EMAIL_KINDS = [NoticeKind.EXPIRY_REMINDER, NoticeKind.CODE_EXPIRED]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# The parts of the full values that the masks hide.
HIDDEN = ("1234565678", "61234565", "0012345", "-26-")


def _render(kind, channel, language, **context):
    return notice_message(kind=kind, channel=channel, language=language, context=CONTEXT | context)


def test_every_kind_has_an_sms_template_and_every_template_a_kind():
    sms = {path.stem for path in (TEMPLATES / "sms").glob("*.txt")}
    email = {path.stem.removesuffix("_subject") for path in (TEMPLATES / "email").glob("*.txt")}

    assert sms == set(NoticeKind.values)
    assert email == set(EMAIL_KINDS)


def test_the_masks_used_in_messages_hide_the_middle():
    assert CONTEXT["code"] == "P26******5678"
    assert CONTEXT["declaration"] == "4312*********345M"


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_sms_renders_in_english_and_korean_with_the_masked_code_only(kind):
    language_before = translation.get_language()
    english = _render(kind, NoticeChannel.SMS, "en")
    korean = _render(kind, NoticeChannel.SMS, "ko")

    for message in (english, korean):
        assert CONTEXT["code"] in message.body
        assert CODE not in message.body
        assert not any(part in message.body for part in HIDDEN)
        assert "{" not in message.body and "%(" not in message.body  # nothing left unrendered
    assert english.body.startswith("[PCC] ") and not HANGUL.search(english.body)
    assert HANGUL.search(korean.body), "the Korean catalogue lacks this message"
    assert translation.get_language() == language_before  # the override did not leak


@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_email_renders_in_english_and_korean_with_a_subject_and_the_masked_code_only(kind):
    english = _render(kind, NoticeChannel.EMAIL, "en")
    korean = _render(kind, NoticeChannel.EMAIL, "ko")

    for message in (english, korean):
        assert message.message_type == MessageType.EMAIL
        assert message.subject and "\n" not in message.subject
        assert CONTEXT["code"] in message.body and CONTEXT["expires_on"] in message.body
        assert CODE not in message.body + message.subject
    assert not HANGUL.search(english.subject + english.body)
    assert HANGUL.search(korean.subject) and HANGUL.search(korean.body)


@pytest.mark.parametrize("declaration_kind", ["import", "export"])
@pytest.mark.parametrize(("language", "misuse"), [("en", "Usage history"), ("ko", "사용 내역")])
def test_every_declaration_notice_carries_the_masked_number_and_how_to_report_misuse(
    declaration_kind, language, misuse
):
    body = _render(NoticeKind.DECLARATION_FILED, NoticeChannel.SMS, language, declaration_kind=declaration_kind).body

    assert CONTEXT["declaration"] in body and DECLARATION not in body
    assert CONTEXT["code"] in body
    assert "125" in body  # the Korea Customs Service's report line
    assert misuse in body


@pytest.mark.parametrize(("declaration_kind", "word"), [("import", "Import"), ("export", "Export")])
def test_the_declaration_notice_names_import_or_export(declaration_kind, word):
    body = _render(NoticeKind.DECLARATION_FILED, NoticeChannel.SMS, "en", declaration_kind=declaration_kind).body

    assert f"{word} declaration" in body


@pytest.mark.parametrize("days", [1, 7, 30])
@pytest.mark.parametrize("channel", [NoticeChannel.SMS, NoticeChannel.EMAIL])
def test_the_expiry_reminder_says_how_many_days_are_left(channel, days):
    body = _render(NoticeKind.EXPIRY_REMINDER, channel, "en", days_left=days).body

    assert re.search(rf"\bin {days} day{'s' if days > 1 else ''}\b", body)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_sms_body_passes_the_gateway_check_and_is_plain_euc_kr(kind, language):
    for declaration_kind in ("import", "export"):
        body = _render(kind, NoticeChannel.SMS, language, declaration_kind=declaration_kind).body

        sms_message_check(to="+821012345678", body=body)
        body.encode("euc-kr")  # strict: a carrier would garble a character EUC-KR lacks


@pytest.mark.parametrize("kind", sorted(set(NoticeKind.values) - {NoticeKind.DECLARATION_FILED}))
def test_english_code_notices_fit_one_sms(kind):
    # The longest values a code notice can carry: two-digit days, a full ISO date.
    message = _render(kind, NoticeChannel.SMS, "en", days_left=30)

    assert message.message_type == MessageType.SMS, f"{euc_kr_bytes(message.body)} bytes"


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("kind", NoticeKind.values)
def test_the_message_type_is_chosen_by_the_euc_kr_size_of_the_body(kind, language):
    message = _render(kind, NoticeChannel.SMS, language)

    size = euc_kr_bytes(message.body)
    assert message.message_type == (MessageType.SMS if size <= SMS_MAX_BYTES else MessageType.LMS)


def test_a_declaration_notice_is_long_enough_to_go_as_lms():
    message = _render(NoticeKind.DECLARATION_FILED, NoticeChannel.SMS, "en")

    assert euc_kr_bytes(message.body) > SMS_MAX_BYTES
    assert message.message_type == MessageType.LMS


# --- Byte counting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 0),
        ("a", 1),
        ("P26******5678", 13),
        ("가", 2),
        ("통관부호", 8),
        ("[PCC] 부호", 10),
        ("가a나b", 6),
        ("\n", 1),
        ("‘’", 4),  # KS X 1001 punctuation is two bytes too
    ],
)
def test_hangul_counts_two_bytes_and_ascii_one(text, size):
    assert euc_kr_bytes(text) == size


def test_a_character_euc_kr_lacks_counts_as_two_bytes():
    assert euc_kr_bytes("😀") == 2


def test_90_bytes_is_an_sms_and_91_an_lms():
    assert SMS_MAX_BYTES == 90
    assert message_type_for("가" * 45) == MessageType.SMS
    assert message_type_for("a" * 90) == MessageType.SMS
    assert message_type_for("가" * 45 + "a") == MessageType.LMS
    assert message_type_for("a" * 91) == MessageType.LMS


def test_2000_bytes_is_an_lms_and_2001_too_long():
    assert LMS_MAX_BYTES == 2000
    assert message_type_for("가" * 1000) == MessageType.LMS
    with pytest.raises(MessageTooLong):
        message_type_for("가" * 1000 + "a")
    with pytest.raises(MessageTooLong):
        message_type_for("a" * 2001)
