"""The website in a real browser: headless Chromium (Debian's `chromium`, which `python3 dev.py
test` installs with apt-get when it is missing and it runs as root) opens the built site from
`file://`, follows every internal link from the root page at phone width, and checks that every
page loads without a console error or a failed load and fits the screen; that the search finds a
known commitment; that the language switch works; that the skip link comes first for the
keyboard. Screenshots go to tests/artifacts/site/ (ignored by git).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from cdp import Browser, Tab, find_chromium

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "site"
PHONE = (375, 740)
#: Pages loaded at once: a page load waits mostly on the browser, not on a core.
TABS = 4


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed, and this machine could not install it: `python3 dev.py test` "
                    "installs Debian's `chromium` with apt-get when run as root; elsewhere install it by hand")
    started = Browser(executable, tmp_path_factory.mktemp("profile"))
    yield started.first
    started.close()


def url_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


LINKS = """Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src]'))
  .map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)"""
PAGE_FACTS = """({lang: document.documentElement.lang, h1: document.querySelectorAll('h1').length,
  wide: document.documentElement.scrollWidth - window.innerWidth, title: document.title, links: """ + LINKS + """})"""


def check_page(tab: Tab, site: Path, page: Path) -> tuple[list[str], set[Path]]:
    """Load one page and check it; returns its problems and the site's pages it links to."""
    name = page.relative_to(site).as_posix()
    failed = tab.open(url_of(page))
    if failed:
        return [f"{name}: {failed}"], set()
    problems, found = [], set()
    facts = tab.evaluate(PAGE_FACTS)
    if facts["lang"] not in ("en", "fr") or facts["h1"] != 1 or not facts["title"]:
        problems.append(f"{name}: lang {facts['lang']!r}, {facts['h1']} h1, title {facts['title']!r}")
    if facts["wide"] > 0:
        problems.append(f"{name}: {facts['wide']}px wider than a {PHONE[0]}px phone screen")
    for link in facts["links"]:
        if not link.startswith("file://"):
            continue
        target = path_of(link)
        if not target.is_file():
            problems.append(f"{name}: broken link to {target}")
        elif target.suffix == ".html" and site in target.parents:
            found.add(target)
    return problems + [f"{name}: {error}" for error in tab.errors()], found


def crawl(tabs: list[Tab], site: Path) -> tuple[set[Path], list[str]]:
    """Every page reachable from the root, level by level, the pages of a level shared by the tabs."""
    problems: list[str] = []
    seen = {site / "index.html"}
    level = [site / "index.html"]
    with ThreadPoolExecutor(len(tabs)) as pool:
        while level:
            shares = [level[i::len(tabs)] for i in range(len(tabs))]
            results = pool.map(lambda job: [check_page(job[0], site, page) for page in job[1]], zip(tabs, shares))
            found: set[Path] = set()
            for result in results:
                for page_problems, links in result:
                    problems += page_problems
                    found |= links
            level = sorted(found - seen)
            seen |= found
    return seen, problems


def test_every_page_loads_cleanly_links_resolve_and_fits_a_phone(browser, site):
    started = time.monotonic()
    tabs = [browser] + [browser.browser.tab() for _ in range(TABS - 1)]
    for tab in tabs:
        tab.viewport(*PHONE, mobile=True)
    try:
        seen, problems = crawl(tabs, site)
    finally:
        for tab in tabs[1:]:
            tab.close()
    assert problems == []
    built = set(site.rglob("*.html"))
    assert built - seen == set(), "pages no link leads to"
    assert len(seen) > 300
    browser.open(url_of(site / "fr" / "meetings" / "cbcf-2024.html"))
    browser.screenshot(ARTIFACTS / "meeting-cbcf-2024-fr-phone.png")
    print(f"{len(seen)} pages in {time.monotonic() - started:.1f}s")


def wait_until(browser: Tab, expression: str, timeout: float = 5) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.evaluate(expression)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never true: {expression}")


RESULTS = "Array.from(document.querySelectorAll('#search-results a')).map(a => a.getAttribute('href'))"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_search_finds_a_known_commitment_as_you_type(browser, site, lang):
    browser.viewport(1280, 900)
    assert browser.open(url_of(site / lang / "search.html")) is None
    browser.evaluate("document.getElementById('search-input').focus()")
    browser.send("Input.insertText", {"text": "fentanyl supply"})
    found = wait_until(browser, RESULTS + ".length && " + RESULTS)
    assert "commitments/cbcf-2024-c03.html" in found
    assert browser.evaluate("document.getElementById('search-status').textContent")
    assert browser.errors() == []


def test_search_reads_the_query_from_the_address_and_ignores_accents(browser, site):
    assert browser.open(url_of(site / "fr" / "search.html") + "?q=securite+frontaliere") is None
    found = wait_until(browser, RESULTS + ".length && " + RESULTS)
    assert "topics/border-security.html" in found
    assert browser.open(url_of(site / "en" / "search.html") + "?q=Garland") is None
    assert "people/merrick-garland.html" in wait_until(browser, RESULTS + ".length && " + RESULTS)
    assert browser.open(url_of(site / "en" / "search.html") + "?q=1998") is None
    wait_until(browser, RESULTS + ".length")
    assert browser.evaluate("document.querySelector('#search-results li').textContent").endswith("existence inferred")


def click(browser: Tab, selector: str) -> None:
    """A real mouse click in the middle of the element."""
    box = browser.evaluate(f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect(); "
                           "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    for kind in ("mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                  "clickCount": 1})


def test_language_switch_goes_to_the_same_record_in_the_other_language(browser, site):
    browser.viewport(1280, 900)
    assert browser.open(url_of(site / "en" / "meetings" / "cbcf-2024.html")) is None
    assert browser.evaluate("document.querySelector('h1').textContent").startswith("2024 — 3rd meeting")
    click(browser, "#lang-switch")
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("location.pathname").endswith("/fr/meetings/cbcf-2024.html")
    assert browser.evaluate("document.documentElement.lang") == "fr"
    assert "3e réunion" in browser.evaluate("document.querySelector('h1').textContent")
    click(browser, "#lang-switch")
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("location.pathname").endswith("/en/meetings/cbcf-2024.html")
    assert browser.errors() == []


def test_keyboard_reaches_the_skip_link_first(browser, site):
    assert browser.open(url_of(site / "en" / "index.html")) is None
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9})
    assert browser.evaluate("document.activeElement.className") == "skip"
    assert browser.evaluate("getComputedStyle(document.activeElement).top") != "-48px"  # visible when focused


def test_screenshots(browser, site):
    browser.viewport(1280, 900)
    for page, name in (("en/index.html", "home-en.png"), ("en/meetings/cbcf-2024.html", "meeting-cbcf-2024-en.png"),
                       ("fr/charts.html", "charts-fr.png")):
        assert browser.open(url_of(site / page)) is None
        browser.screenshot(ARTIFACTS / name)
        assert (ARTIFACTS / name).stat().st_size > 10_000
    browser.viewport(1100, 1190)
    assert browser.open(url_of(site / "en" / "index.html")) is None
    browser.screenshot(ARTIFACTS / "readme.png", full=False)  # docs/site.png is a copy of this
    assert browser.errors() == []


def test_the_page_check_catches_a_broken_link_a_script_error_a_failed_load_and_overflow(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><title>bad</title><h1>bad</h1><a href="missing.html">x</a>'
                    '<img src="missing.png" alt=""><div style="width:2000px">wide</div><script>notDefined()</script>'
                    '<p style="color:#bbb">faint</p>',
                    encoding="utf-8")
    browser.viewport(*PHONE, mobile=True)
    problems, _ = check_page(browser, tmp_path, page)
    assert any("broken link" in p and "missing.html" in p for p in problems), problems
    assert any("wider than" in p for p in problems), problems
    assert any("exception" in p for p in problems), problems
    assert any("log:" in p and "missing.png" in p for p in problems), problems
    assert browser.evaluate(LOW_CONTRAST) == ['P "faint" 1.92']


#: Text whose colour contrast with its background is below WCAG AA (4.5:1; 3:1 for large text).
LOW_CONTRAST = """(() => {
  const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
  const bad = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode, el = text.parentElement;
    if (!text.textContent.trim() || el.closest('svg, .visually-hidden, .skip')) continue;
    const style = getComputedStyle(el), a = lum(rgb(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName} "${text.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return bad;
})()"""


def test_text_contrast_meets_wcag_aa(browser, site):
    browser.viewport(1280, 900)
    for page in ("en/index.html", "fr/meetings/cbcf-2024.html", "en/charts.html", "en/data.html",
                 "en/sources/fifthestate-2024-07-13-communique-repost.html", "fr/commitments/index.html"):
        assert browser.open(url_of(site / page)) is None
        assert browser.evaluate(LOW_CONTRAST) == [], page
