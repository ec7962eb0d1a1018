"""The journey pages a person reads in Korean are in Korean (issue 4: "Korean and English complete").

The journey tests compare texts with what the catalogue gives, so they pass whatever the catalogue
holds; this walk checks that the catalogue does hold Korean for what each page shows: its heading,
the titles of its fields, its buttons and action links. (Accessibility is audited by the journeys.)"""

import pytest
from django.urls import reverse

from tests.browser.steps import (
    HANGUL,
    TANAKA,
    Audit,
    application_form,
    apply_and_read_code,
    choose_method,
    code_page,
    enter_code,
    home_to_real_name,
    mobile_form_send_sms,
    real_name_check,
    seed,
    sms_code_from_phone,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What a page shows that must be translated: Latin-only brand names (SKT, PASS, PAYCO…) are radio
# labels, not in these.
TEXTS = "main h1, main h2, main .form-tit, main button, main .portal-actions a, main .krds-btn"


class _KoreanWalk(Audit):
    """The journey steps' Audit, collecting the untranslated texts of each page instead of axe's findings
    (what else the steps record is the journeys' business)."""

    def __init__(self):
        super().__init__()
        self.english: list[str] = []

    def check(self, page, label: str) -> None:
        page.wait_for_load_state("load")
        self.checked.append(label)
        if label.startswith("simulated phone"):
            return  # a development tool, not a page of the service
        if page.locator("html").get_attribute("lang") != "ko":
            self.english.append(f"[{label}] <html lang> is not ko")
        texts = [" ".join(text.split()) for text in page.locator(TEXTS).all_inner_texts()]
        english = sorted({text for text in texts if text and not HANGUL.search(text)})
        if english:
            self.english.append(f"[{label}] /{page.url.split('/', 3)[-1]}: " + " | ".join(english))


def test_new_issue_and_my_code_pages_are_in_korean(open_page):
    seed()
    language = "ko"
    walk = _KoreanWalk()
    page = open_page(language=language, viewport="desktop")
    home_to_real_name(page, walk, language, "new")
    real_name_check(page, walk, language, TANAKA)
    for method in ("simple", "certificate"):  # the first page of the other two methods
        page.goto(reverse(f"verification:{method}-start"))
        walk.check(page, f"{method} start")
    page.goto(reverse("verification:methods"))
    choose_method(page, walk, language, "mobile")
    mobile_form_send_sms(page, walk, language, TANAKA)
    code_page(page, walk, language)
    enter_code(page, sms_code_from_phone(page.context, walk, TANAKA))
    page.wait_for_url(f"**{reverse('issuance:apply')}")
    application_form(page, walk, language, TANAKA)
    apply_and_read_code(page, walk, language)
    for name in ("my_code", "change", "reissue", "theft", "terminate", "history"):
        page.goto(reverse(f"issuance:{name}"))
        walk.check(page, name)
    assert not walk.english, f"{len(walk.english)} page(s) show English in Korean:\n" + "\n".join(walk.english)
