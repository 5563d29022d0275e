"""End to end in a real browser: Debian's headless Chromium, driven by Selenium, against a
server started on a free loopback port.

Outside CI the test is skipped when Chromium is not installed; in CI (CI=true) it fails
instead, since `.ci/run` installs it.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
pytest.importorskip("selenium", reason="selenium (the dev extra) is not installed")

import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

import rejection_diagnosis as rd
from web_server import browser_paths, chromium, consult, live_server, press_and_wait

if browser_paths() is None:
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the browser tests: chromium and chromedriver are missing "
                    "(.ci/run installs them with apt-get)", pytrace=False)
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium "
                "chromium-driver)", allow_module_level=True)

SCENARIOS = Path(rd.bundled_rules_path()) / "scenarios" / "seed-causes.yaml"
#: Three bundled scenarios, one per cause family: the ad went back up (fit), a hiring
#: freeze (budget), and a colleague who applied (internal candidate).
CHOSEN = ("posting-back-up-a-week-later", "hiring-freeze-announced-then-silence",
          "recruiter-mentioned-someone-on-the-team-applied")
#: Where the screenshots go: docs/images when RD_WEB_SCREENSHOTS says so (docs/web.md).
SHOTS = os.environ.get("RD_WEB_SCREENSHOTS", "")
TIMES: list[float] = []


def scenario(name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in yaml.safe_load(SCENARIOS.read_text())["scenarios"]
                                 if s["name"] == name)
    return found


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with live_server() as base:
        yield base


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium() as browser:
        assert isinstance(browser, WebDriver)
        yield browser


def shot(driver: WebDriver, tmp_path: Path, name: str, whole: bool = True) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not whole:
        driver.save_screenshot(str(path))
        return path
    # The whole page, not just the window: the document's height, at the window's width.
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], min(int(height) + 140, 4000))
    driver.save_screenshot(str(path))
    driver.set_window_size(size["width"], size["height"])
    assert path.stat().st_size > 1000
    return path


@pytest.mark.parametrize("name", CHOSEN)
def test_a_candidate_reaches_the_expected_leading_cause(driver: WebDriver, url: str,
                                                        name: str) -> None:
    case = scenario(name)
    TIMES.append(consult(driver, url, case["observations"], case.get("story", "")))
    causes = driver.find_elements(By.CSS_SELECTOR, "li.cause")
    assert case["expect"]["top_cause"] == causes[0].get_attribute("data-cause")
    assert causes[0].find_element(By.CSS_SELECTOR, ".strength").text  # likely / possible
    assert driver.find_elements(By.CSS_SELECTOR, "ul.evidence li")  # in the person's words


def test_why_not_and_what_if_on_the_result(driver: WebDriver, url: str, tmp_path: Path) -> None:
    case = scenario(CHOSEN[0])
    consult(driver, url, case["observations"], case.get("story", ""))
    shot(driver, tmp_path, "web-result.png")
    # "Why not" another cause, on a click.
    other = driver.find_element(By.CSS_SELECTOR, "ul.others details.whynot")
    other.find_element(By.TAG_NAME, "summary").click()
    assert "true" == other.get_attribute("open") or other.get_attribute("open") == ""
    assert other.find_element(By.TAG_NAME, "p").is_displayed()
    # A what-if toggle, from the keyboard: focus it and press space; the change shows at once.
    toggle = driver.find_element(By.CSS_SELECTOR, "input.whatif[data-observation=posting_reposted]")
    driver.execute_script("arguments[0].scrollIntoView()", toggle)
    toggle.send_keys(Keys.SPACE)
    assert toggle.is_selected()
    out = WebDriverWait(driver, 10).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#whatif-out p")))
    assert out.text.startswith("The leading cause would")
    shot(driver, tmp_path, "web-what-if.png")


def test_a_story_is_shown_as_understood(driver: WebDriver, url: str, tmp_path: Path) -> None:
    driver.get(url + "/")
    if not driver.find_elements(By.ID, "story"):
        pytest.skip("this version has no story reader")
    case = scenario(CHOSEN[0])
    driver.find_element(By.ID, "story").send_keys(case["story"])
    shot(driver, tmp_path, "web-story.png", whole=False)
    press_and_wait(driver, "form.story button[type=submit]")
    understood = {e.get_attribute("name") for e in driver.find_elements(
        By.CSS_SELECTOR, "ul.understood select, ul.understood input:not([type=hidden])")}
    assert "value:posting_reposted" in understood
    assert driver.find_elements(By.CSS_SELECTOR, "ul.understood .quote")  # their own words
    shot(driver, tmp_path, "web-understood.png")


def test_a_question_with_why_and_back(driver: WebDriver, url: str, tmp_path: Path) -> None:
    def press(css: str) -> None:
        press_and_wait(driver, css)

    def asked() -> str:
        return driver.find_element(By.NAME, "observation").get_attribute("value") or ""

    driver.get(url + "/")
    press("button[name=action][value=start]")
    first = asked()
    if driver.find_elements(By.CSS_SELECTOR, "input[name=tick]"):  # a checklist comes first
        shot(driver, tmp_path, "web-checklist.png")
    press("button[value=dontknow]")
    for _ in range(10):  # on to a question about one observation, for its screenshot
        if not driver.find_elements(By.CSS_SELECTOR, "input[name=tick]"):
            break
        press("button[value=dontknow]")
    assert first != asked()
    why = driver.find_element(By.CSS_SELECTOR, "details.why")
    why.find_element(By.TAG_NAME, "summary").send_keys(Keys.ENTER)  # keyboard opens it
    assert why.find_element(By.TAG_NAME, "ul").is_displayed()
    shot(driver, tmp_path, "web-question.png")
    while driver.find_elements(By.CSS_SELECTOR, "button[value=back]"):
        press("button[value=back]")
    assert first == asked()


def test_the_page_reads_on_a_phone(url: str, tmp_path: Path) -> None:
    with chromium(390, 844) as phone:
        assert isinstance(phone, WebDriver)
        case = scenario(CHOSEN[1])
        consult(phone, url, case["observations"], case.get("story", ""))
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert phone.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        shot(phone, tmp_path, "web-phone.png")


def test_the_coach_page_searches_and_validates(driver: WebDriver, url: str,
                                               tmp_path: Path) -> None:
    driver.get(url + "/coach")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.kb tr.item")
    driver.find_element(By.ID, "q").send_keys("freeze")
    visible = [r for r in rows if r.is_displayed()]
    assert 0 < len(visible) < len(rows)
    assert "matching rows" in driver.find_element(By.ID, "search-count").text
    shot(driver, tmp_path, "web-coach.png", whole=False)
    bad = tmp_path / "my-rules.yaml"
    bad.write_text("rules:\n  - id: r1\n    when: {no_such_observation: true}\n"
                   "    then: {cause: fit_mismatch, certainty: 0.5}\n    because: A test.\n")
    driver.find_element(By.ID, "rules-file").send_keys(str(bad))
    driver.find_element(By.ID, "with-served").click()
    press_and_wait(driver, "#validate-h ~ form button")
    report = driver.find_element(By.ID, "validation").text
    assert "my-rules.yaml:3:" in report
    assert "no_such_observation" in report
    driver.execute_script("document.getElementById('validate-h').scrollIntoView()")
    shot(driver, tmp_path, "web-validate.png", whole=False)


def test_no_accessibility_violations_by_axe(driver: WebDriver, url: str) -> None:
    # axe-core (shipped inside axe-selenium-python) on every kind of page: the start page, a
    # question with "why" open, a result with causes, what-if and why-not open, the coach's.
    from axe_selenium_python import Axe

    def violations() -> list[tuple[str, str, int]]:
        axe = Axe(driver)
        axe.inject()
        found = axe.run()["violations"]
        return [(v["id"], v["impact"], len(v["nodes"])) for v in found]

    pages: dict[str, list[tuple[str, str, int]]] = {}
    driver.get(url + "/")
    pages["start"] = violations()
    press_and_wait(driver, "button[name=action][value=start]")
    driver.find_element(By.CSS_SELECTOR, "details.why summary").click()
    pages["question"] = violations()
    case = scenario(CHOSEN[2])
    consult(driver, url, case["observations"], case.get("story", ""))
    for summary in driver.find_elements(By.CSS_SELECTOR, "li.cause summary")[:2]:
        summary.click()
    driver.find_element(By.CSS_SELECTOR, "input.whatif").send_keys(Keys.SPACE)
    WebDriverWait(driver, 10).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#whatif-out p")))
    pages["result"] = violations()
    driver.get(url + "/coach")
    pages["coach"] = violations()
    assert {name: [] for name in pages} == pages


def test_page_to_result_time_is_reported() -> None:
    # Filled by the scenario tests above; the benchmark (benchmarks/web.py) reports it too.
    if len(TIMES) < len(CHOSEN):
        pytest.skip("the scenario tests did not all run")
    print(f"median page-to-result time: {statistics.median(TIMES):.2f} s over {len(TIMES)}")
    assert statistics.median(TIMES) < 60
