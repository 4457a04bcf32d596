"""The HTML report, opened from disk in a real headless Chromium (Debian's, driven by Selenium).

The report is made from the embedded model's recorded replies on the seeds
(fixtures/seeds, replayed). `.ci/run` installs chromium and chromium-driver;
without them these tests are skipped, and only there.

The screenshot in docs/ is made by `python -m tests.test_html_report` with
the same code; the tests write theirs to a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, SEED_DATE, SEEDS

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Skipped on a machine without them, unless SUMMARIZER_REQUIRE_BROWSER is set (CI sets it): there, a missing browser fails.
needs_browser = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("SUMMARIZER_REQUIRE_BROWSER"),
    reason="Debian chromium and chromium-driver not installed",
)


def make_report(folder: Path, articles: Path = SEEDS) -> tuple[Path, dict]:
    """The seeds' report (replayed) and the same briefing as JSON, to know the right answers."""
    report, data = folder / "briefing.html", folder / "briefing.json"
    for fmt, target in (("html", report), ("json", data)):
        result = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", str(articles), "--date", SEED_DATE, "--format", fmt,
             "-o", str(target), "--fixture-mode", "replay", "--fixtures", str(FIXTURES / "seeds"), "--no-log"],
            capture_output=True, text=True, cwd=ROOT, timeout=300,
        )
        assert result.returncode in (0, 3), result.stderr
    return report, json.loads(data.read_text(encoding="utf-8"))


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # As root, with no network: no sandbox, and none of Chromium's background connections.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1100,1400"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    report, briefing = make_report(folder)
    driver = browser()
    driver.get(report.as_uri())
    yield driver, briefing, folder
    driver.quit()


def click(driver, element) -> None:
    # As a reader would: scroll the item to the middle of the window (above the evidence panel), then click.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def highlighted(driver) -> list[str]:
    return [m.text for m in driver.find_elements("css selector", "#evidence-text mark")]


@needs_browser
def test_clicking_an_actor_highlights_its_quote(page):
    driver, briefing, folder = page
    actor = briefing["actors"][0]
    click(driver, driver.find_element("css selector", f'[data-kind="actor"][data-name="{actor["name"]}"]'))
    quote = actor["evidence"][0]
    assert highlighted(driver)[0] == " ".join(quote["text"].split()) or highlighted(driver)[0] == quote["text"]
    assert quote["article_id"] in driver.find_element("id", "evidence-meta").text
    driver.save_screenshot(str(folder / "actor.png"))  # a test artifact, not in git


@needs_browser
def test_clicking_a_deadline_highlights_its_quote_at_its_offsets(page):
    driver, briefing, _ = page
    entries = driver.find_elements("css selector", '[data-kind="timeline"]')
    entry = briefing["timeline"][-1]
    click(driver, entries[-1])
    quote = entry["evidence"][0]
    text = (SEEDS / f"{quote['article_id']}.txt").read_text(encoding="utf-8")
    # The mark holds exactly the characters at the recorded offsets.
    assert text[quote["start"] : quote["end"]] in driver.find_element("id", "evidence-text").text
    assert highlighted(driver)[0] == text[quote["start"] : quote["end"]].strip() or highlighted(driver)[0] == text[quote["start"] : quote["end"]]


@needs_browser
def test_clicking_a_summary_citation_highlights_the_sentence_it_cites(page):
    driver, briefing, _ = page
    sentence = briefing["summary"][-1]
    marks = driver.find_elements("css selector", '[data-kind="summary"] sup.cite')
    assert len(marks) == sum(len(s["citations"]) for s in briefing["summary"])
    click(driver, marks[-1])
    quote = sentence["citations"][-1]
    text = (SEEDS / f"{quote['article_id']}.txt").read_text(encoding="utf-8")
    assert highlighted(driver) == [text[quote["start"]:quote["end"]]]
    assert quote["article_id"] in driver.find_element("id", "evidence-meta").text


@needs_browser
def test_the_timeline_marks_today_and_tells_past_from_upcoming(page):
    driver, briefing, _ = page
    assert driver.find_element("css selector", ".today-marker").text == f"Today, {SEED_DATE}"
    classes = [e.get_attribute("class") for e in driver.find_elements("css selector", '[data-kind="timeline"]')]
    dates = [t["date"] for t in briefing["timeline"]]
    for date, cls in zip(dates, classes):
        assert ("past" in cls) == (date < SEED_DATE) and ("upcoming" in cls) == (date > SEED_DATE)


@needs_browser
def test_article_text_is_shown_as_text_never_run(tmp_path, reliability):
    reliability("hostile", "<script> and HTML in an article, shown in the HTML report", "displayed as text; nothing runs")
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, articles)
    seed = articles / "000_ca7bab2cb521082e.txt"
    # The hostile text goes after everything the recorded briefing quotes, so
    # its offsets still hold; the page is rendered from that briefing and the changed text.
    _, briefing = make_report(tmp_path)
    from summarizer.articles import load_articles
    from summarizer.render import to_html
    from summarizer.schemas import Briefing

    loaded = {a.id: a for a in load_articles([articles]).articles}
    hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"></article>"
    loaded[seed.stem].text = loaded[seed.stem].text + "\n" + hostile
    page_path = tmp_path / "hostile.html"
    page_path.write_text(to_html(Briefing.model_validate(briefing), loaded), encoding="utf-8")
    driver = browser()
    try:
        driver.get(page_path.as_uri())
        actor = next(a for a in briefing["actors"] if a["evidence"][0]["article_id"] == seed.stem)
        click(driver, driver.find_element("css selector", f'[data-kind="actor"][data-name="{actor["name"]}"]'))
        assert "pwned" not in driver.title
        assert "<script>document.title='pwned'</script>" in driver.find_element("id", "evidence-text").text
        assert driver.find_elements("css selector", "#evidence-text script, #evidence-text img") == []
    finally:
        driver.quit()


def test_the_report_is_self_contained(tmp_path):
    report, _ = make_report(tmp_path)
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert html.count("<script") == 2  # the article data, and the page's own code


def screenshot(target: Path) -> None:
    """docs/report.png: the seeds' report with an actor's quote open."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report, briefing = make_report(Path(tmp))
        driver = browser()
        try:
            driver.set_window_size(820, 1000)
            driver.get(report.as_uri())
            name = briefing["actors"][0]["name"]
            click(driver, driver.find_element("css selector", f'[data-kind="actor"][data-name="{name}"]'))
            driver.save_screenshot(str(target))
        finally:
            driver.quit()


if __name__ == "__main__":
    screenshot(ROOT / "docs" / "report.png")
    print(f"wrote {ROOT / 'docs' / 'report.png'}")
