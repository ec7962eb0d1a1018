"""The guide pages (issue 4, "Pages and language": FAQ, customs offices, privacy notice) and the header
navigation that reaches them: both languages, the seeds' facts, one h1 and no skipped heading level,
CSP-safe markup, and answers that open without JavaScript."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils.html import escape

from issuance.models import CustomsOffice
from issuance.selectors import customs_office_list
from tests.test_pages import _assert_csp_safe, _parse

GUIDE_PAGES = ["guide_faq", "guide_offices", "guide_privacy"]
LANGUAGES = ["ko", "en"]


def _get(client, url_name: str, language: str) -> str:
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def _nav_links(html: str) -> list[tuple[str, str]]:
    """(href, attributes) of each link in the header's main menu."""
    nav = re.search(r'<nav class="krds-main-menu portal-nav".*?</nav>', html, re.DOTALL)
    assert nav, "the header has no main menu"
    return re.findall(r'<a href="([^"]+)"([^>]*)>', nav.group(0))


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url_name", GUIDE_PAGES)
def test_guide_page_renders_in_each_language_with_one_h1(client, url_name, language):
    html = _get(client, url_name, language)

    assert _parse(html).html_lang == language
    levels = _heading_levels(html)
    assert levels.count(1) == 1, "exactly one h1"
    assert levels[0] == 1, "the h1 comes first"
    skipped = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert skipped == [], f"heading levels skipped: {skipped}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url_name", GUIDE_PAGES)
def test_guide_page_is_csp_safe_and_needs_no_script(client, url_name, language):
    html = _get(client, url_name, language)

    _assert_csp_safe(html)
    assert "<script" not in html, "a guide page must work without JavaScript"
    assert not any(marker in html for marker in ("{#", "#}", "{%", "%}", "{{", "}}"))


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", GUIDE_PAGES)
def test_guide_pages_answer_only_get(client, url_name):
    assert client.post(reverse(url_name)).status_code == 405


@pytest.mark.django_db
def test_guide_pages_are_korean_by_default(client):
    html = client.get(reverse("guide_faq")).content.decode()

    assert _parse(html).html_lang == "ko"
    assert "개인통관고유부호 포털" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_faq_gives_the_real_name_check_help_of_seed_001(client, language):
    html = _get(client, "guide_faq", language)

    assert "COI ZHUNA" in html and "COIZHUNA" in html, "spaces are ignored in the name (seed 001, Q3)"
    assert "02-708-1000" in html, "identity-theft prevention service: the KCB customer centre"
    assert "KCB" in html


@pytest.mark.django_db
def test_faq_covers_every_topic_in_english(client):
    html = _get(client, "guide_faq", "en")

    for fact in (
        "alien registration card",  # who can apply
        "passport",  # no means of verification: a customs office
        "MVNO",  # mobile verification: budget carriers
        "8 digits",  # birth date
        "subscriber name",  # must equal the ARC name
        "valid for one year",
        "30 days before it expires until 30 days after",
        "up to 5 times in a calendar year",  # reissue limit
        "suspended immediately",  # theft report
        "usage history",
        "This was not me",
        "optional",  # SMS consent
        "withdraw",
        "2 February 2026",  # forwarders: name, phone and postcode
        "delivery postcode",
        "up to 20 delivery addresses",
    ):
        assert fact in html, fact


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_faq_answers_are_native_disclosures_styled_as_krds_accordions(client, language):
    html = _get(client, "guide_faq", language)

    details = re.findall(r'<details class="accordion-item">', html)
    summaries = re.findall(r'<summary class="btn-accordion">', html)
    assert len(details) >= 10
    assert len(summaries) == len(details)
    assert html.count('<div class="krds-accordion">') >= 5, "grouped by topic"
    for anchor in re.findall(r'<a href="#([^"]+)"', html.split('id="main"', 1)[1]):
        assert f'id="{anchor}"' in html, f"the topic link #{anchor} goes nowhere"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_offices_page_lists_every_office_in_the_current_language(client, language):
    html = _get(client, "guide_offices", language)
    offices = list(customs_office_list())

    assert len(offices) == 5, "the five main customs offices (seed 000)"
    for office in offices:
        name, address = (office.name_ko, office.address_ko) if language == "ko" else (office.name_en, office.address_en)
        other_name = office.name_en if language == "ko" else office.name_ko
        assert escape(name) in html and escape(address) in html
        assert office.postcode in html
        assert escape(other_name) not in html


@pytest.mark.django_db
def test_offices_page_says_what_to_bring_and_the_passport_limit(client):
    html = _get(client, "guide_offices", "en")

    assert "Clearance Unique Code Application (for an Individual)" in html
    assert "alien registration card or your passport" in html
    assert "you will not be able to look up your code online" in html


@pytest.mark.django_db
def test_offices_page_without_offices_says_so(client):
    CustomsOffice.objects.all().delete()

    html = _get(client, "guide_offices", "en")

    assert "The list of customs offices is not available" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_notice_states_retention_recipients_and_demo(client, language):
    html = _get(client, "guide_privacy", language)

    assert "900101-5******" in html, "masking on screen"
    assert reverse("verification:real_name", args=["manage"]) in html, "rights are used through look-up"
    assert reverse("guide_offices") in html, "or at a customs office"


@pytest.mark.django_db
def test_privacy_notice_covers_every_obligation_in_english(client):
    html = _get(client, "guide_privacy", "en")

    for fact in (
        "Article 36 of the Electronic Government Act",  # legal basis of the mandatory consent
        "Personal Information Protection Act",
        "as long as the code is in use",  # retention
        "kept for 2 years",  # access records
        "never see your registration number",  # forwarders
        "encrypted when it is stored",
        "for each person",  # per-person keys
        "never put in web addresses",
        "corrected or erased",
        "processing suspended",
        "demonstration service",
        "fictional demo data",
    ):
        assert fact in html, fact


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_header_menu_offers_every_destination(client, language):
    html = _get(client, "home", language)

    hrefs = [href for href, _ in _nav_links(html)]
    assert hrefs == [
        reverse("home"),
        reverse("verification:real_name", args=["new"]),
        reverse("verification:real_name", args=["manage"]),
        reverse("guide_faq"),
        reverse("guide_offices"),
        reverse("guide_privacy"),
    ]


@pytest.mark.django_db
def test_every_header_menu_link_resolves(client):
    html = _get(client, "home", "en")

    for href, _ in _nav_links(html):
        response = client.get(href, HTTP_ACCEPT_LANGUAGE="en")
        # The journeys start with a real-name check page; a step that needs verification may redirect or refuse.
        assert response.status_code in (200, 302, 400), f"{href} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", *GUIDE_PAGES])
def test_header_menu_marks_only_the_current_page(client, url_name):
    html = _get(client, url_name, "en")

    current = [href for href, attributes in _nav_links(html) if 'aria-current="page"' in attributes]
    assert current == [reverse(url_name)]


@pytest.mark.django_db
def test_header_menu_marks_the_journey_being_started(client):
    url = reverse("verification:real_name", args=["manage"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200

    links = _nav_links(response.content.decode())
    assert [href for href, attributes in links if 'aria-current="page"' in attributes] == [url]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_links_to_every_guide_page(client, language):
    html = _get(client, "home", language)
    main = html.split('id="main"', 1)[1].split("</main>", 1)[0]

    for url_name in GUIDE_PAGES:
        assert f'href="{reverse(url_name)}"' in main, url_name


@pytest.mark.django_db
def test_footer_links_to_the_privacy_notice(client):
    html = _get(client, "guide_faq", "en")
    footer = html.split('<footer id="krds-footer">', 1)[1]

    assert f'<a href="{reverse("guide_privacy")}" class="point">Privacy notice</a>' in footer
