"""Steps of the residents' journeys in a real browser, shared by the journey tests (test_journey_*.py).

Each step does what a person does on the page (reads the heading, types, picks, presses), and checks
the page with `Audit.check()`: axe-core (no serious or critical violation), no sideways scrolling, no
server error, no script error. Problems are collected so that one run reports every page of the journey;
each test ends with `audit.assert_clean()`. Texts are compared with what the translation catalogue
gives for the page's language, so the same test reads the Korean and the English page.
"""

import datetime
import re

from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from issuance.demo import DEMO_PEOPLE, demo_data_seed
from personal_data.contact import format_phone_national
from personal_data.identity import parse_resident_number
from tests.browser.conftest import accessibility_violations

PEOPLE = {person.english_name: person for person in DEMO_PEOPLE}
TANAKA = PEOPLE["TANAKA YUKI"]  # KT, foreign woman, no code yet: new issues
NGUYEN = PEOPLE["NGUYEN VAN AN"]  # SKT, foreign man, active code: look-up, change, reissue, theft
PARK = PEOPLE["PARK JIHOON"]  # enrolled in identity-theft protection: the real-name check cannot pass

CODE_NUMBER = re.compile(r"^P[0-9]{12}$")
COUNTDOWN = re.compile(r"^[0-9]{1,2}:[0-5][0-9]$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def seed() -> None:
    """The demo people (idempotent); each browser test starts from a fresh database."""
    demo_data_seed()


def say(language: str, english: str) -> str:
    """The text a person reads in `language`: the catalogue's translation, or the English when none."""
    with translation.override(language):
        return translation.gettext(english)


def masked_rrn(person) -> str:
    """How pages show a registration number: birth date, the sex digit, then stars."""
    return person.rrn[:8] + "******"


def birth_date_8(person) -> str:
    return f"{parse_resident_number(person.rrn).birth_date:%Y%m%d}"


# What sticks out of the window: the page scrolls sideways, or (portal.css sets body{overflow-x:hidden})
# it is cut off. Elements inside a box that scrolls or clips within the window (a table wrapper) are fine.
WIDER_THAN_THE_WINDOW = """() => {
    const width = document.documentElement.clientWidth;
    const held = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= width + 1) {
                return true;
            }
        }
        return false;
    };
    const wide = [...document.querySelectorAll("body *")].filter((e) => {
        const box = e.getBoundingClientRect();
        return box.width > 1 && box.height > 1 && box.right > width + 1 && e.checkVisibility() && !held(e);
    });
    const innermost = wide.filter((e) => !wide.some((other) => other !== e && e.contains(other)));
    const scroll = document.documentElement.scrollWidth;
    if (scroll <= width && innermost.length === 0) { return null; }
    const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + [...e.classList].map((c) => "." + c).join("");
    return {scroll, width, elements: innermost.slice(0, 5).map(
        (e) => name(e) + " (right edge " + Math.round(e.getBoundingClientRect().right) + "px)")};
}"""


class Audit:
    """What is wrong on the pages of one journey: collected, then asserted at the end of the test."""

    def __init__(self):
        self.problems: list[str] = []
        self.checked: list[str] = []
        self._without_scripts: set[int] = set()

    def watch(self, page, *, javascript: bool = True) -> None:
        """Record server errors, missing scripts or styles, and script errors of every page it shows.
        `javascript=False` for a page of a context without JavaScript: its other pages follow."""
        if not javascript:
            self._without_scripts.add(id(page.context))
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: JavaScript error: {error}"))
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page, message) -> None:
        """A script or style the Content Security Policy blocks breaks the page; a blocked font does not
        (KRDS's CSS carries an unused data: icon font that `font-src 'self'` refuses on every page)."""
        text = message.text
        if message.type != "error" or "Content Security Policy" not in text or "font-src" in text:
            return
        self.problems.append(f"{page.url}: blocked by the Content Security Policy: {text[:300]}")

    def _response(self, response) -> None:
        kind = response.request.resource_type
        if kind == "document" and response.status >= 500:
            self.problems.append(f"{response.url}: HTTP {response.status}")
        elif kind in ("script", "stylesheet", "font", "image") and response.status >= 400:
            self.problems.append(f"{response.url}: {kind} answered HTTP {response.status}")

    def runs_scripts(self, page) -> bool:
        return id(page.context) not in self._without_scripts

    def check(self, page, label: str) -> None:
        """axe-core and the width check on the page as it is now. Both run scripts in the page, which a
        context without JavaScript refuses (page.evaluate never returns): such pages are left out; the
        same templates are audited in the journeys with JavaScript."""
        page.wait_for_load_state("load")
        if not self.runs_scripts(page):
            return
        where = f"[{label}] /{page.url.split('//', 1)[-1].split('/', 1)[-1]}"
        self.checked.append(label)
        if page.locator("h1").count() != 1:
            self.problems.append(f"{where}: {page.locator('h1').count()} <h1> elements instead of one")
        for violation in accessibility_violations(page):
            self.problems.append(f"{where}: axe {violation}")
        overflow = page.evaluate(WIDER_THAN_THE_WINDOW)
        if overflow:
            self.problems.append(
                f"{where}: wider than the {overflow['width']}px window (page {overflow['scroll']}px wide; "
                "body{overflow-x:hidden} cuts off what it does not scroll): " + "; ".join(overflow["elements"])
            )

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s) on the journey's pages:\n" + "\n".join(
            self.problems
        )


# --- Page helpers ------------------------------------------------------------------------------------


def expect_heading(page, language: str, english: str) -> None:
    expect(page.locator("main h1")).to_have_text(say(language, english))


def expect_countdown(page, audit: Audit) -> None:
    """The 10-minute idle countdown of journey pages: its sentence is visible, and the time left (m:ss)
    is filled in by its script when the page runs scripts."""
    expect(page.locator(".portal-session-timer")).to_be_visible()
    if audit.runs_scripts(page):
        expect(page.locator(".portal-session-remaining")).to_have_text(COUNTDOWN)


def choose(page, name: str, value: str) -> None:
    """Pick a radio button or tick a box as a person does: on its label (KRDS draws the control there)."""
    control = page.locator(f"main input[name='{name}'][value='{value}']")
    control_id = control.get_attribute("id")
    label = page.locator(f"label[for='{control_id}']")
    if label.count():
        label.first.click()
    else:
        control.check()
    expect(control).to_be_checked()


def tick(page, control_id: str) -> None:
    control = page.locator(f"#{control_id}")
    page.locator(f"label[for='{control_id}']").first.click()
    expect(control).to_be_checked()


def submit(page, *, value: str | None = None) -> None:
    """Press the main form's primary button (or the submit button with `value`)."""
    if value is not None:
        page.locator(f"main button[type=submit][value='{value}']").click()
    else:
        page.locator("main form button[type=submit].primary").first.click()


def error_summary(page):
    return page.locator("main .portal-error-summary")


# --- Journey steps -----------------------------------------------------------------------------------


def home_to_real_name(page, audit: Audit, language: str, purpose: str) -> None:
    """The home page, then its "New issue" or "Check / Reissue" card."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect_heading(page, language, "Personal Customs Code")
    audit.check(page, "home")
    card = "New issue" if purpose == "new" else "Check / Reissue"
    link = page.locator(f"main a.portal-entry-card[href='{reverse('verification:real_name', args=[purpose])}']")
    expect(link).to_contain_text(say(language, card))
    link.click()
    page.wait_for_url(f"**{reverse('verification:real_name', args=[purpose])}")


def real_name_check(page, audit: Audit, language: str, person, *, purpose: str = "new") -> None:
    heading = "Apply for a Personal Customs Code" if purpose == "new" else "Check, change or reissue your code"
    expect_heading(page, language, heading)
    expect_countdown(page, audit)
    audit.check(page, "real-name check")
    page.fill("#id_name", person.name)
    page.fill("#id_resident_number", person.rrn)
    submit(page)
    page.wait_for_url(f"**{reverse('verification:methods')}")


def choose_method(page, audit: Audit, language: str, method: str) -> None:
    """The methods page, then one method's link: "mobile", "certificate" or "simple"."""
    expect_heading(page, language, "Choose how to verify your identity")
    expect_countdown(page, audit)
    audit.check(page, "methods")
    url = reverse(f"verification:{method}-start")
    page.locator(f"main a[href='{url}']").click()
    page.wait_for_url(f"**{url}")


def captcha_answer(page) -> str:
    """Read the captcha picture as a person does: its answer is stored under the form's hidden key."""
    hashkey = page.locator("input[name=captcha_0]").input_value()
    return CaptchaStore.objects.get(hashkey=hashkey).response


def mobile_form_send_sms(page, audit: Audit, language: str, person) -> None:
    """The KMC-style form with the SMS tab: telecom, name, birth date, sex, foreigner, phone, captcha."""
    expect_heading(page, language, "Verify with your mobile phone")
    expect_countdown(page, audit)
    audit.check(page, "mobile form")
    rrn = parse_resident_number(person.rrn)
    choose(page, "telecom", person.telecom)
    expect(page.locator("#id_name")).to_have_value(person.name)  # carried over from the real-name check
    page.fill("#id_name", person.subscriber_name or person.name)
    page.fill("#id_birth_date", birth_date_8(person))
    choose(page, "sex", rrn.sex)
    choose(page, "nationality", "foreign" if rrn.is_foreigner else "korean")
    page.fill("#id_phone", person.phone)
    page.fill("#id_captcha_1", captcha_answer(page))
    submit(page)
    page.wait_for_url(f"**{reverse('verification:mobile-code')}")


def code_page(page, audit: Audit, language: str, *, tries_left: int = 5) -> None:
    expect_heading(page, language, "Enter the verification code")
    expect_countdown(page, audit)
    expect(page.locator(".portal-code-remaining")).to_have_text(COUNTDOWN)  # the code's own 3 minutes
    with translation.override(language):
        tries = translation.ngettext("You have %(tries)s try left.", "You have %(tries)s tries left.", tries_left)
    expect(page.locator("main")).to_contain_text(tries % {"tries": tries_left})
    audit.check(page, "code page" if tries_left == 5 else f"code page, {tries_left} tries left")


def phone_open(context, audit: Audit, person):
    """The simulated phone, as a newcomer opens it: /dev/phone/, then the demo phone's number."""
    phone = context.new_page()
    audit.watch(phone)
    phone.goto(reverse("dev_phone:index"))
    audit.check(phone, "simulated phone index")
    phone.locator("main a", has_text=format_phone_national(person.phone)).click()
    phone.wait_for_url("**/dev/phone/*/")
    expect(phone.locator("main h1")).to_contain_text(format_phone_national(person.phone))
    audit.check(phone, "simulated phone")
    return phone


def newest_sms_code(phone) -> str:
    """The 6-digit code in the newest text message on the simulated phone (listed first)."""
    body = phone.locator(".portal-dev-sms-body").first.inner_text()
    found = re.search(r"\b([0-9]{6})\b", body)
    assert found, f"no 6-digit code in the newest message: {body!r}"
    return found.group(1)


def sms_code_from_phone(context, audit: Audit, person) -> str:
    phone = phone_open(context, audit, person)
    code = newest_sms_code(phone)
    phone.close()
    return code


def enter_code(page, code: str) -> None:
    page.fill("#id_code", code)
    submit(page)


def verify_by_sms(page, audit: Audit, language: str, person, *, purpose: str = "new") -> None:
    """Real-name check → mobile → SMS form → code from the simulated phone → confirmed."""
    real_name_check(page, audit, language, person, purpose=purpose)
    choose_method(page, audit, language, "mobile")
    mobile_form_send_sms(page, audit, language, person)
    code_page(page, audit, language)
    enter_code(page, sms_code_from_phone(page.context, audit, person))
    after = reverse("issuance:apply") if purpose == "new" else reverse("issuance:my_code")
    page.wait_for_url(f"**{after}")


APPLICATION = {
    "address": "서울특별시 종로구 세종대로 175 101호",
    "postcode": "03172",
    "email": "yuki.tanaka@example.org",
    "delivery_address": "부산광역시 해운대구 해운대해변로 264",
    "delivery_postcode": "48099",
}


def application_form(
    page,
    audit: Audit,
    language: str,
    person,
    *,
    delivery: bool = True,
    sms_consent: bool = True,
    verified_mobile: bool = True,
) -> None:
    """Fill in the application (DOMAIN.md §5), adding one delivery address with the page's button;
    `apply_and_read_code` sends it. With `verified_mobile` the number the method verified is already
    filled in; otherwise the caller types a number and confirms it with a code first."""
    expect_heading(page, language, "Application for a Personal Customs Code")
    expect_countdown(page, audit)
    expect(page.locator("main .portal-summary")).to_contain_text(person.name)
    expect(page.locator("main .portal-summary")).to_contain_text(masked_rrn(person))
    expect(page.locator("main")).not_to_contain_text(person.rrn)
    audit.check(page, "application form")
    page.fill("#id_english_name", person.english_name)
    page.select_option("#id_nationality", person.nationality)
    page.fill("#id_address", APPLICATION["address"])
    page.fill("#id_postcode", APPLICATION["postcode"])
    page.fill("#id_email", APPLICATION["email"])
    expect(page.locator("main input[name=mobile_ownership][value=own_name]")).to_be_checked()
    if verified_mobile:
        expect(page.locator("#id_mobile")).not_to_have_value("")
    if delivery:
        expect(page.locator(".portal-delivery-row")).to_have_count(0)
        submit(page, value="add_address")
        expect(page.locator(".portal-delivery-row")).to_have_count(1)
        expect(page.locator("#id_email")).to_have_value(APPLICATION["email"])  # nothing typed is lost
        if error_summary(page).count():  # the person only asked for one more row: nothing to correct yet
            summary = " | ".join(error_summary(page).first.inner_text().split("\n"))
            audit.problems.append(f"[application form] “Add a delivery address” shows errors: {summary}")
        audit.check(page, "application form with a delivery address")
        page.fill("#id_delivery-0-address", APPLICATION["delivery_address"])
        page.fill("#id_delivery-0-postcode", APPLICATION["delivery_postcode"])
    tick(page, "id_document_viewing_consent")
    if sms_consent:
        tick(page, "id_sms_consent")


def apply_and_read_code(page, audit: Audit, language: str) -> str:
    submit(page, value="submit")
    page.wait_for_url(f"**{reverse('issuance:apply_done')}")
    expect_heading(page, language, "Your Personal Customs Code is ready")
    expect_countdown(page, audit)
    number = page.locator("#issued-code").inner_text().strip()
    assert CODE_NUMBER.match(number), number
    audit.check(page, "code issued")
    return number


def expect_valid_until(page, language: str, day: datetime.date) -> None:
    """The sentence under a newly issued code."""
    sentence = say(language, "Valid until %(date)s. You can renew it from 30 days before.")
    expect(page.locator("main .portal-code-box")).to_contain_text(sentence % {"date": f"{day:%Y-%m-%d}"})
