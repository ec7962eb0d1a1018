"""The text of each notice, in the holder's language, with masked values only (DOMAIN.md §8).

Korean carriers count an SMS in EUC-KR bytes: up to 90 bytes it goes as SMS, longer as LMS up to
2,000 bytes (a Hangul syllable is 2 bytes, ASCII 1). The sender chooses and the notice records which.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import MessageType, NoticeChannel

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000


class MessageTooLong(ValueError):
    pass


def euc_kr_bytes(text: str) -> int:
    """Bytes as a Korean carrier counts them; a character EUC-KR lacks counts as 2 (it is replaced)."""
    total = 0
    for char in text:
        try:
            total += len(char.encode("euc-kr"))
        except UnicodeEncodeError:
            total += 2
    return total


def message_type_for(body: str) -> str:
    size = euc_kr_bytes(body)
    if size <= SMS_MAX_BYTES:
        return MessageType.SMS
    if size <= LMS_MAX_BYTES:
        return MessageType.LMS
    raise MessageTooLong(f"{size} bytes is longer than an LMS ({LMS_MAX_BYTES} bytes)")


@dataclass(frozen=True)
class Message:
    body: str
    message_type: str
    subject: str = ""


def notice_message(*, kind: str, channel: str, language: str, context: dict) -> Message:
    """Render the notice's template (templates/notifications/<channel>/<kind>.txt) in `language`."""
    with translation.override(language):
        body = render_to_string(f"notifications/{channel}/{kind}.txt", context).strip()
        if channel == NoticeChannel.EMAIL:
            subject = render_to_string(f"notifications/email/{kind}_subject.txt", context).strip()
            return Message(body=body, message_type=MessageType.EMAIL, subject=subject)
    return Message(body=body, message_type=message_type_for(body))
