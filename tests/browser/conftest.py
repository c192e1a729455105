"""Browser tests: Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`) driven by
Playwright for Python against pytest-django's live server. Each test saves screenshots
under `var/test-screenshots/` and asserts what the page shows.

Playwright's own browser downloads are never used (`playwright install` is not run): the
browser is the distribution's. Without it the tests are skipped, except in CI (`CI` set),
where they fail.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(settings.VAR_DIR) / "test-screenshots"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


@pytest.fixture(scope="module")
def chromium():
    """Chromium for one test module. Playwright is started and stopped per module: its sync
    API keeps an event loop running in the test thread while it is started, where Django's
    ORM refuses to work (SynchronousOnlyOperation) unless told it is safe; so that stays
    within the browser tests, and the rest of the suite runs as usual."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # The test's own database work (set-up, checks) is synchronous, beside Playwright's loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(chromium):
    """`new_page(locale="fr-FR", color_scheme="dark")`: a page in a fresh context (its own
    cookies), closed after the test."""
    contexts = []

    def make(**options):
        context = chromium.new_context(**{"viewport": {"width": 1366, "height": 900},
                                          "locale": "en-GB", **options})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "name")` saves var/test-screenshots/<test>-<name>.png; returns it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"\W+", "-", request.node.name).strip("-")

    def save(page, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 0
        return path

    return save


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def demo_tested(simulator):
    """load_demo against the simulator, then the guide's test procedure (catalogue export,
    allotments, Ticketnet sells, duplicates and refunds, sales integration); the interface."""
    from django.core.management import call_command

    from channels.demo import DEMO_INTERFACE_NAME
    from channels.models import ExternalSalesInterface
    from schedules.framework.runner import job_run
    from schedules.models import Job, Run

    call_command("load_demo", stdout=io.StringIO())
    interface = ExternalSalesInterface.objects.get(internal_name=DEMO_INTERFACE_NAME)
    interface.url = simulator.url
    interface.save(update_fields=["url"])
    test = job_run(interface_id=interface.pk, job=Job.INTERFACE_TEST, params={"event": "CONC27"})
    assert test.status == Run.Status.OK, test.messages
    return interface
