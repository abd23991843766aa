"""End-to-end: a real browser (Debian's chromium, driven by Debian's chromedriver through
Selenium) uses the clinicians' web app: fill the patient form, add a plan, trigger a
contraindication and override it, read the ranked table, download the report, and check that
hostile names are shown as text.

scripts/test.sh installs chromium and chromium-driver from Debian and sets
SKINREMODEL_REQUIRE_CHROMIUM, so there a missing browser fails instead of skipping. Nothing
downloads a browser: Selenium is given both executables and Selenium Manager is kept offline.
Screenshots go to the test's temporary directory, or to SKINREMODEL_SCREENSHOTS when set
(tools/clinician_screenshots.py sets it to docs/figures/ to refresh the documentation)."""

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
DRIVER = shutil.which("chromedriver")
XSS = "<script>alert(1)</script>"
REASON = "Delivered in March, not breastfeeding; obstetrician and dermatologist agree"


@pytest.fixture(scope="module")
def server(app_server):
    return f"http://127.0.0.1:{app_server.server_port}/"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    where = os.environ.get("SKINREMODEL_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def driver(downloads):
    if CHROMIUM is None or DRIVER is None:
        if os.environ.get("SKINREMODEL_REQUIRE_CHROMIUM"):
            pytest.fail(
                "chromium or chromedriver is missing (scripts/test.sh installs Debian's "
                "chromium and chromium-driver)"
            )
        pytest.skip("chromium and chromedriver are not installed; ./scripts/test.sh installs them")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--window-size=1280,1800",
    ):
        options.add_argument(flag)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    browser = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    yield browser
    browser.quit()


def submit(driver, button):
    """Click a submit button and wait until the next page has loaded (no timing assert)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    by_id(driver, button).click()

    def replaced(_):
        # During navigation Chromium answers "stale element" or an inspector error: both mean
        # the old page is gone.
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    wait = WebDriverWait(driver, 300, ignored_exceptions=(WebDriverException,))
    wait.until(replaced)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def by_id(driver, name):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, name)


def fill(driver, name, text):
    element = by_id(driver, name)
    element.clear()
    element.send_keys(text)


def set_date(driver, name, iso):
    driver.execute_script("arguments[0].value = arguments[1];", by_id(driver, name), iso)


def no_alert(driver):
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no script opened a dialog


def table_rows(driver, table_id="ranking"):
    from selenium.webdriver.common.by import By

    head = [th.text for th in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th")]
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")
    ]
    return head, rows


def screenshot(driver, shots, name):
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, min(max(int(height) + 40, 800), 6000))
    driver.save_screenshot(str(shots / name))
    assert (shots / name).stat().st_size > 20_000


def test_clinician_session(server, driver, downloads, shots):
    # 1. The empty form, then a validation error in the page.
    driver.get(server)
    assert "compare microneedling plans" in driver.title
    fill(driver, "age", "forty")
    submit(driver, "compare")
    assert "Age: 'forty' is not a number of years" in by_id(driver, "errors").text
    screenshot(driver, shots, "app_form_error.png")

    # 2. The patient: pregnant; plans: one from the library and one added in the text box,
    #    with a hostile name for the patient and the plan.
    fill(driver, "age", "34")
    fill(driver, "patient_name", f"Ms Example {XSS}")
    by_id(driver, "pregnant").click()
    by_id(driver, "library-standard-course").click()
    fill(
        driver,
        "plan_text",
        f"Gentle course: 3 sessions every 4 weeks at 1.0 mm\n"
        f"{XSS}: 2 sessions every 6 weeks at 1.5 mm",
    )
    set_date(driver, "start_date", "2025-06-02")
    submit(driver, "compare")
    verdict = by_id(driver, "verdict").text
    assert "every plan (3 of 3) is blocked by screening (pregnancy)" in verdict
    blocked = by_id(driver, "blocked").text
    assert "What would unblock it" in blocked and XSS in blocked  # shown as text
    no_alert(driver)
    screenshot(driver, shots, "app_contraindication.png")

    # 3. Override with a reason of a few words: the plans are simulated, the reason is shown.
    fill(driver, "override_pregnancy", REASON)
    submit(driver, "compare")
    assert REASON in by_id(driver, "overrides").text
    head, rows = table_rows(driver)
    assert head[:3] == ["Rank", "Plan", "Screening"]
    assert "Visible improvement at 12 mo (x just noticeable)" in head
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert {r[1] for r in rows} == {"4 sessions 4-6 weeks apart (up to 6)", "Gentle course", XSS}
    assert all(r[2] == "go ahead (override: pregnancy)" for r in rows)
    deciding = [
        float(r[head.index("Visible improvement at 12 mo (x just noticeable)")].rstrip("x"))
        for r in rows
    ]
    assert deciding == sorted(deciding, reverse=True) and min(deciding) >= 0
    assert by_id(driver, "plots").get_attribute("naturalWidth") != "0"
    no_alert(driver)
    screenshot(driver, shots, "app_results.png")

    # 4. Download the report and open it in the browser.
    by_id(driver, "download-report").click()
    deadline = time.monotonic() + 60
    files = []
    while time.monotonic() < deadline:
        files = [p for p in downloads.glob("skinremodel-report-*.html")]
        if files and not list(downloads.glob("*.crdownload")):
            break
        time.sleep(0.2)
    assert files, "the report was not downloaded"
    report = files[0].read_text(encoding="utf-8")
    assert report.index('id="verdict"') < report.index('id="ranking"')
    assert REASON in report and "&lt;script&gt;" in report and "<script>" not in report
    driver.get(files[0].as_uri())
    assert REASON in by_id(driver, "overrides").text
    no_alert(driver)
    screenshot(driver, shots, "report.png")


def test_optimise_and_uncertainty(server, driver, downloads, shots):
    # 5. A fresh patient: "Optimise for this patient" with no plan of one's own.
    from selenium.webdriver.common.by import By

    driver.get(server)
    fill(driver, "age", "52")
    by_id(driver, "photoaged").click()
    set_date(driver, "start_date", "2025-06-02")
    submit(driver, "optimise")
    assert not driver.find_elements(By.ID, "errors"), by_id(driver, "errors").text
    section = by_id(driver, "optimised-plan").text
    assert section.startswith("Optimised plan")
    head, rows = table_rows(driver)
    names = [r[head.index("Plan")] for r in rows]
    assert names == ["optimised plan"]  # the only plan compared
    assert "optimised plan" in by_id(driver, "optimised-carried").text
    screenshot(driver, shots, "app_optimised.png")

    # 6. Add a library plan and ask for uncertainty: the optimised plan is carried along, the
    #    optimum beats (or ties) the library plan, and P(best) over the plans sums to one.
    by_id(driver, "library-standard-course").click()
    by_id(driver, "uncertainty-option").click()
    submit(driver, "compare")
    assert not driver.find_elements(By.ID, "errors")
    head, rows = table_rows(driver)
    names = [r[head.index("Plan")] for r in rows]
    assert set(names) == {"optimised plan", "4 sessions 4-6 weeks apart (up to 6)"}
    assert names[0] == "optimised plan"
    uhead, urows = table_rows(driver, "uncertainty")
    p_best = [float(r[uhead.index("P(best)") - 1]) for r in urows]  # row labels are <th>
    assert sum(p_best) == pytest.approx(1.0, abs=0.03) and all(0 <= p <= 1 for p in p_best)
    assert "not fitted to data" in by_id(driver, "analyses").text
    no_alert(driver)
    screenshot(driver, shots, "app_uncertainty.png")

    # 7. The downloaded report carries the optimised plan and the uncertainty section.
    for old in downloads.glob("skinremodel-report-*.html"):
        old.unlink()
    by_id(driver, "download-report").click()
    deadline = time.monotonic() + 60
    files = []
    while time.monotonic() < deadline:
        files = list(downloads.glob("skinremodel-report-*.html"))
        if files and not list(downloads.glob("*.crdownload")):
            break
        time.sleep(0.2)
    assert files, "the report was not downloaded"
    report = files[0].read_text(encoding="utf-8")
    assert "optimised plan" in report and 'id="uncertainty"' in report and "P(best)" in report
