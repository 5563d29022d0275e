"""A live server for the web tests: the real app under uvicorn, on a free loopback port."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import rejection_diagnosis as rd
from rejection_diagnosis.web import create_app, make_server


@contextlib.contextmanager
def live_server(kb: rd.KnowledgeBase | None = None) -> Iterator[str]:
    """Serve ``kb`` (default: the bundled rules) as ``serve`` does; yield its base URL."""
    server = make_server(create_app(kb or rd.load_rules()), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# The browser ------------------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def browser_paths() -> tuple[str, str] | None:
    """Debian's chromium and chromedriver, or None when they are not installed."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@contextlib.contextmanager
def chromium(width: int = 1000, height: int = 900) -> Iterator[object]:
    """A headless Chromium driven by Selenium, with a fresh profile deleted afterwards."""
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = browser_paths()
    if paths is None:
        raise RuntimeError("chromium and chromedriver are not installed "
                           "(apt-get install chromium chromium-driver)")
    with tempfile.TemporaryDirectory(prefix="rd-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = paths[0]
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
        try:
            yield driver
        finally:
            driver.quit()


def consult(driver: object, url: str, observations: dict[str, object], story: str = "",
            limit: int = 150) -> float:
    """Go from the start page to the result as a candidate would; return the seconds taken.

    With a story (and a server that reads stories) the story is typed and what was
    understood is confirmed; then every question is answered from ``observations``, or
    with "I don't know" when the case does not say.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(driver, WebDriver)

    def press(css: str) -> None:
        press_and_wait(driver, css)

    started = time.perf_counter()
    driver.get(url + "/")
    boxes = driver.find_elements(By.ID, "story")
    if story and boxes:
        boxes[0].send_keys(story)
        press("form.story button[type=submit]")
    press("button[name=action][value=start]")
    for _ in range(limit):
        if driver.find_elements(By.ID, "result"):
            return time.perf_counter() - started
        ident = driver.find_element(By.NAME, "observation").get_attribute("value") or ""
        boxes = driver.find_elements(By.CSS_SELECTOR, "input[name=tick]")
        if boxes:  # a checklist: tick what the case says is true, leave the rest
            for box in boxes:
                if observations.get(box.get_attribute("value") or "") is True:
                    box.click()
            press("button[name=action][value=checklist]")
            continue
        if ident not in observations:
            press("button[value=dontknow]")
            continue
        value = observations[ident]
        if isinstance(value, bool):
            press(f"button[name=answer][value={str(value).lower()}]")
        elif isinstance(value, int | float):
            driver.find_element(By.ID, "answer").send_keys(str(value))
            press("button[name=action][value=answer]")
        else:
            press(f"button[name=answer][value='{value}']")
    raise AssertionError(f"no result after {limit} questions")


def press_and_wait(driver: object, css: str, timeout: float = 30) -> None:
    """Click the button ``css`` and wait until the next page has replaced this one.

    The old page is marked with a variable that a new document does not have; errors while
    the browser is between documents are ignored until the new one is complete.
    """
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait

    assert isinstance(driver, WebDriver)
    driver.execute_script("window.rdOldPage = true")
    button = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    try:
        WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(
                "return window.rdOldPage === undefined && document.readyState === 'complete'"))
    except TimeoutException:
        heading = driver.find_elements(By.TAG_NAME, "h1")
        raise AssertionError(f"clicking {css!r} did not lead to a new page within {timeout} s "
                             f"(still on {driver.current_url}, "
                             f"{heading[0].text if heading else 'no heading'!r})") from None
