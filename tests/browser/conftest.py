"""Browser journeys in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright for
Python; never a browser download), against the live Django server, with axe-core checks."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is missing: `make test` installs it (apt-get install chromium)"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_settings(settings):
    settings.DEBUG = True  # the simulated phone (/dev/phone/) exists only with DEBUG on
    return settings


@pytest.fixture
def open_page(chromium, live_server, browser_settings, request):
    """open_page(language="ko"|"en", viewport="desktop"|"phone") → a Playwright page on the live server.

    Further keyword arguments go to `browser.new_context()`, e.g. `java_script_enabled=False`."""
    contexts = []

    def _open(*, language: str = "ko", viewport: str = "desktop", **context_options):
        context = chromium.new_context(
            base_url=live_server.url,
            locale="ko-KR" if language == "ko" else "en-US",
            extra_http_headers={"Accept-Language": language},
            viewport=VIEWPORTS[viewport],
            **context_options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for index, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}-{index}.png"), full_page=True)
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def accessibility_violations(page) -> list[str]:
    """axe-core (shipped inside axe-playwright-python): the serious and critical violations of the
    page, one line each with the rule, its help text and the elements (CSS targets) it failed on."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s): "
        + "; ".join(" ".join(map(str, node.get("target", []))) for node in v["nodes"][:5])
        for v in bad
    ]


def assert_accessible(page):
    """axe-core: no serious or critical violation."""
    bad = accessibility_violations(page)
    assert not bad, "\n".join(bad)


@pytest.fixture
def audit(request):
    """Collects what is wrong on every page of a journey (tests/browser/steps.py `Audit`); the test
    asserts it at its end. When the test failed before that, the problems found so far are printed."""
    from tests.browser.steps import Audit

    collected = Audit()
    yield collected
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    if failed and collected.problems:
        print("Problems found on the pages before the failure:\n" + "\n".join(collected.problems))
