"""The public pages: language, the CSP-safe markup rules and the vendored front end (ENGINEERING.md
"Front end": KRDS vendored, no CDN, no inline script or style)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template, render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from issuance.selectors import customs_office_list

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
STATIC_DIR = Path(settings.BASE_DIR) / "static"


class _PageParser(HTMLParser):
    """Collects what the CSP rules care about: scripts, style attributes and elements, asset URLs."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.inline_scripts = 0
        self.style_attributes = []
        self.style_elements = 0
        self.event_handler_attributes = []
        self.asset_urls = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "script":
            if attributes.get("src"):
                self.asset_urls.append(attributes["src"])
            else:
                self.inline_scripts += 1
        if tag == "style":
            self.style_elements += 1
        if tag == "link" and attributes.get("href"):
            self.asset_urls.append(attributes["href"])
        if tag == "img" and attributes.get("src"):
            self.asset_urls.append(attributes["src"])
        for name in attributes:
            if name == "style":
                self.style_attributes.append(tag)
            if name.startswith("on"):
                self.event_handler_attributes.append(f"{tag}[{name}]")


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


def _assert_csp_safe(html: str) -> None:
    page = _parse(html)
    assert page.inline_scripts == 0, "inline <script> without src: CSP forbids it"
    assert page.style_elements == 0, "<style> element: CSP forbids inline styles"
    assert page.style_attributes == [], f"style= attributes on {page.style_attributes}: CSP forbids them"
    assert page.event_handler_attributes == [], f"inline handlers {page.event_handler_attributes}"


def _static_path(url: str) -> str:
    assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), url
    return url.split(settings.STATIC_URL, 1)[1]


@pytest.mark.django_db
def test_home_is_in_korean_by_default(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert _parse(response.content.decode()).html_lang == "ko"


@pytest.mark.django_db
def test_home_follows_the_browsers_accept_language(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert _parse(response.content.decode()).html_lang == "en"


@pytest.mark.django_db
def test_home_follows_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ko")

    assert _parse(response.content.decode()).html_lang == "en"


@pytest.mark.django_db
def test_home_has_no_inline_script_or_style(client):
    for language in ("ko", "en"):
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)
        _assert_csp_safe(response.content.decode())


@pytest.mark.django_db
def test_no_template_syntax_leaks_into_the_page(client):
    # Django's {# #} comments are single-line; a multi-line one is printed as text.
    for language in ("ko", "en"):
        html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert not any(marker in html for marker in ("{#", "#}", "{%", "%}", "{{", "}}"))


@pytest.mark.django_db
def test_set_language_switches_the_page_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    assert _parse(html).html_lang == "en"
    assert re.search(r'<button[^>]*value="en"[^>]*aria-current="true"', html)
    assert not re.search(r'<button[^>]*value="ko"[^>]*aria-current="true"', html)


@pytest.mark.django_db
def test_language_switcher_returns_to_the_current_page(client):
    html = client.get(reverse("home")).content.decode()

    assert re.search(r'<form[^>]*action="{}"[^>]*method="post"'.format(reverse("set_language")), html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/">' in html
    assert re.search(r'<button[^>]*value="ko"[^>]*aria-current="true"[^>]*>한국어</button>', html)
    assert re.search(r'<button[^>]*value="en"[^>]*>English</button>', html)


@pytest.mark.django_db
def test_every_asset_the_layout_links_to_exists(client):
    html = client.get(reverse("home")).content.decode()
    urls = _parse(html).asset_urls

    assert urls, "the layout links no stylesheet"
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), f"{url} loads from another origin"
        assert finders.find(_static_path(url)), f"{url} is not a static file"


def test_every_static_tag_in_the_templates_names_an_existing_file():
    referenced = set()
    for template in TEMPLATES_DIR.rglob("*.html"):
        referenced.update(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text()))

    assert "vendor/krds/css/krds.min.css" in referenced
    for path in sorted(referenced):
        assert finders.find(path), f"{{% static '{path}' %}} names no file"


def test_every_url_in_our_stylesheets_resolves_to_a_vendored_file():
    # KRDS upstream points its icons at https://www.krds.go.kr; scripts/vendor_krds.sh rewrites them.
    stylesheets = [STATIC_DIR / "css" / "portal.css", STATIC_DIR / "vendor" / "krds" / "css" / "krds.min.css"]
    for stylesheet in stylesheets:
        css = stylesheet.read_text()
        assert "@import" not in css, f"{stylesheet.name}: @import chains requests"
        for raw in re.findall(r"url\(\s*([^)]+?)\s*\)", css):
            target = raw.strip("'\"")
            if target.startswith("data:"):
                continue
            assert not re.match(r"^(https?:)?//", target), f"{stylesheet.name} loads {target} from elsewhere"
            assert (stylesheet.parent / target).resolve().is_file(), f"{stylesheet.name}: {target} is missing"


def test_vendored_krds_records_its_version_and_licence():
    version = (STATIC_DIR / "vendor" / "krds" / "VERSION").read_text()

    assert "name: krds-uiux" in version
    assert re.search(r"^version: \d+\.\d+\.\d+$", version, re.MULTILINE)
    assert re.search(r"^integrity: sha512-[A-Za-z0-9+/=]+$", version, re.MULTILINE)
    assert "ISC" in (STATIC_DIR / "vendor" / "krds" / "LICENSE").read_text()


@pytest.mark.django_db
def test_home_lists_every_customs_office_in_the_current_language(client):
    offices = list(customs_office_list())
    korean = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    if not offices:
        assert "The list of customs offices is not available" in english
    for office in offices:
        assert escape(office.name_ko) in korean and escape(office.address_ko) in korean
        assert escape(office.name_en) in english and escape(office.address_en) in english
        assert office.postcode in korean and office.postcode in english


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("ko", ["서울세관", "서울특별시 강남구 언주로 721"], ["Seoul Main Customs"]),
        ("en", ["Seoul Main Customs", "721, Eonju-ro, Gangnam-gu, Seoul"], ["서울세관"]),
    ],
)
def test_home_lists_offices_in_the_current_language(language, shown, hidden):
    # A stand-in for CustomsOffice: the template needs only these attributes.
    office = SimpleNamespace(
        name_ko="서울세관",
        name_en="Seoul Main Customs",
        address_ko="서울특별시 강남구 언주로 721",
        address_en="721, Eonju-ro, Gangnam-gu, Seoul",
        postcode="06050",
        phone="",
    )
    request = RequestFactory().get("/")

    with translation.override(language):
        html = render_to_string("home.html", {"offices": [office]}, request=request)

    assert "06050" in html
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    assert 'href="tel:' not in html, "an office without a phone gets no phone link"
    _assert_csp_safe(html)


def test_home_links_an_offices_phone_number():
    office = SimpleNamespace(
        name_ko="인천세관",
        name_en="Incheon Main Customs",
        address_ko="인천광역시 중구 서해대로 339",
        address_en="339, Seohae-daero, Jung-gu, Incheon",
        postcode="22346",
        phone="032-452-3114",
    )

    html = render_to_string("home.html", {"offices": [office]}, request=RequestFactory().get("/"))

    assert '<a href="tel:032-452-3114">032-452-3114</a>' in html


def test_unknown_page_gets_the_portal_404():
    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    html = response.content.decode()
    assert _parse(html).html_lang == "en"
    assert 'id="main"' in html
    _assert_csp_safe(html)


def test_500_page_renders_without_any_context():
    # Django renders 500.html with an empty Context: no request, no context processors, no database.
    html = get_template("500.html").render()

    page = _parse(html)
    assert page.html_lang == "ko"
    assert 'lang="en"' in html
    _assert_csp_safe(html)
    for url in page.asset_urls:
        assert finders.find(_static_path(url)), url


@pytest.mark.parametrize("template_name", ["400.html", "403.html", "403_csrf.html", "404.html"])
def test_error_pages_extend_the_layout_safely(template_name):
    html = render_to_string(template_name, request=RequestFactory().get("/"))

    assert 'id="main"' in html
    _assert_csp_safe(html)


@pytest.mark.django_db
def test_csrf_failure_shows_the_friendly_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert _parse(html).html_lang == "en"
    assert "Your session has expired" in html
