"""The admin in a real browser: Debian's chromium, headless, on the live stack.

The server runs with DEBUG off, as in production; the admin's static files
come from WhiteNoise. The platform owner creates a tenant; its root sets a password from the
welcome email, logs in to the tenant's admin, creates a user and an access
key, sees the secret once and never again. Each step leaves a screenshot in
test-artifacts/admin/.
"""

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import OWNER_EMAIL, OWNER_PASSWORD, ROOT
from tests.smtp import free_port, text_body

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("live_iam")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "admin"
ROOT_PASSWORD = "the new root's long passphrase"
WAIT_SECONDS = 20


@pytest.fixture
def browser():
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "Debian's chromium is not installed "
            "(apt-get install -y chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="iam-admin-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        "--window-size=1440,900",
        f"--user-data-dir={profile}",
        # Tenant hosts are names under .localhost; all of them are loopback.
        "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
    ]:
        options.add_argument(flag)
    # A driver path skips Selenium Manager: nothing is downloaded.
    driver = webdriver.Chrome(
        service=Service(executable_path=str(CHROMEDRIVER)), options=options
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Page:
    """The few browser moves the journey needs, each waiting for its page."""

    def __init__(self, driver):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.by = By
        self.conditions = expected_conditions
        self.wait = WebDriverWait(driver, WAIT_SECONDS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, url):
        self.driver.get(url)

    def fill(self, element_id, value):
        field = self.wait.until(
            self.conditions.visibility_of_element_located((self.by.ID, element_id))
        )
        field.clear()
        field.send_keys(value)

    def click(self, css):
        self.wait.until(
            self.conditions.element_to_be_clickable((self.by.CSS_SELECTOR, css))
        ).click()

    def see(self, css):
        return self.wait.until(
            self.conditions.visibility_of_element_located((self.by.CSS_SELECTOR, css))
        )

    def text(self) -> str:
        return self.driver.find_element(self.by.TAG_NAME, "body").text

    def shot(self, name):
        self.driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _welcome_link(message) -> str:
    match = re.search(r"https?://\S+token=\S+", text_body(message))
    assert match, text_body(message)
    return match.group(0)


def test_owner_creates_a_tenant_whose_root_makes_a_user_and_a_key(live_iam, browser):
    page = Page(browser)
    port = live_iam.port
    platform = f"http://localhost:{port}"
    slug = f"web{free_port()}"
    host = f"{slug}.localhost"
    root_email = f"root@{slug}.test"

    # The platform owner logs in on the platform host.
    page.open(f"{platform}/admin/")
    page.fill("id_username", OWNER_EMAIL)
    page.fill("id_password", OWNER_PASSWORD)
    page.shot("01-platform-login")
    page.click("input[type=submit]")
    page.see("#user-tools")
    assert "IAM platform" in page.text()
    page.shot("02-platform-index")

    # ...and creates a tenant.
    page.open(f"{platform}/admin/tenants/tenant/add/")
    page.fill("id_slug", slug)
    page.fill("id_name", "Browser Test Inc")
    page.fill("id_domain", host)
    page.fill("id_root_email", root_email)
    page.shot("03-platform-add-tenant")
    page.click("input[name=_save]")
    page.see(".messagelist .success")
    assert host in page.text()
    page.shot("04-platform-tenant-created")

    # Root sets its password from the welcome email's link.
    link = _welcome_link(live_iam.wait_for_email(root_email))
    assert link.startswith(f"http://{host}:")
    page.open(link)
    page.see("#password")
    page.shot("05-root-set-password-page")
    page.fill("password", ROOT_PASSWORD)
    page.fill("password_again", ROOT_PASSWORD)
    page.click("button[type=submit]")
    page.see("main")
    assert "Your password is set" in page.text()
    page.shot("05b-root-password-set")

    # Root logs in to its tenant's admin.
    tenant_admin = f"http://{host}:{port}/admin"
    page.open(f"{tenant_admin}/")
    page.fill("id_username", root_email)
    page.fill("id_password", ROOT_PASSWORD)
    page.shot("06-tenant-login")
    page.click("input[type=submit]")
    page.see("#user-tools")
    assert "Browser Test Inc" in page.text()
    page.shot("07-tenant-index")

    # ...creates a user...
    page.open(f"{tenant_admin}/accounts/user/add/")
    page.fill("id_email", "alice@browser.test")
    page.fill("id_name", "Alice")
    page.click("input[name=_save]")
    page.see(".messagelist .success")
    assert "alice@browser.test" in page.text()
    page.shot("08-tenant-user-created")

    # ...and an access key for that user, from the user's page.
    browser.find_element(page.by.LINK_TEXT, "alice@browser.test").click()
    page.click("a.button[href*='accesskey/add']")
    page.see(".select2-selection__rendered")
    assert "alice@browser.test" in page.text()
    page.shot("09-tenant-access-key-add")
    page.click("input[name=_save]")
    secret = page.see("#access-key-secret").get_attribute("value")
    key_id = browser.find_element(page.by.ID, "access-key-id").get_attribute("value")
    assert len(secret) >= 30
    page.shot("10-tenant-access-key-secret-once")

    # The secret works...
    reply = live_iam.call(
        "POST",
        "/iam/auth/token",
        {"access_key_id": key_id, "secret_access_key": secret},
        host=host,
    )
    assert reply.status == 200, reply.body

    # ...and a second visit shows it nowhere.
    page.click("a.button")
    page.see("#content-main")
    assert key_id in page.text()
    assert secret not in browser.page_source
    page.shot("11-tenant-access-key-second-visit")
    page.open(f"{tenant_admin}/credentials/accesskey/")
    page.see("#result_list")
    assert key_id in page.text()
    assert secret not in browser.page_source
    page.shot("12-tenant-access-key-list")
