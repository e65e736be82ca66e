import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("assay", max_examples=40, deadline=None)
settings.load_profile("assay")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# -- One Dask cluster for the assay.dask tests ----------------------------------------------
# A LocalCluster of two worker processes (one thread each), started once per test session (per
# xdist worker) and shared by every test that takes `client`: starting one costs seconds.


@pytest.fixture(scope="session")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit="1GiB"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


# -- A real browser for the report tests ----------------------------------------------------
# One headless Chromium (Debian's `chromium`, which `./dev.sh test` installs) per test session,
# driven by Playwright. Without a browser the tests that need one are skipped, unless CI or
# ASSAY_REQUIRE_BROWSER (which ./dev.sh test sets) is set: there a missing browser is a failure.


def _chromium_executable():
    import shutil

    for name in (os.environ.get("ASSAY_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class RenderedPage:
    """A page open in the browser: ``errors`` collects console errors, uncaught exceptions and
    any request that is not the page's own file (a self-contained page makes none)."""

    def __init__(self, page, errors):
        self.page = page
        self.errors = errors

    def texts(self, selector):
        """The visible text of every element matching ``selector``."""
        return self.page.locator(selector).all_inner_texts()

    def count(self, selector):
        return self.page.locator(selector).count()

    def screenshot(self):
        """A full-page PNG (bytes)."""
        return self.page.screenshot(full_page=True)


@pytest.fixture(scope="session")
def browser_render(tmp_path_factory):
    """``render(html_or_path, width=1200) -> RenderedPage``: open a page in headless Chromium."""
    executable = _chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        missing = "chromium" if executable is None else "the playwright package"
        message = f"{missing} is not installed (./dev.sh test installs it)"
        if os.environ.get("CI") or os.environ.get("ASSAY_REQUIRE_BROWSER"):
            pytest.fail(f"{message}; the test command requires the browser tests to run")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        opened = []

        def render(html_or_path, width=1200):
            path = Path(html_or_path) if isinstance(html_or_path, Path) else folder / f"page{len(opened)}.html"
            if not isinstance(html_or_path, Path):
                path.write_text(html_or_path, encoding="utf-8")
            while opened:  # one page at a time keeps the browser small
                opened.pop().close()
            page = browser.new_page(viewport={"width": width, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            own = path.resolve().as_uri()

            def guard(route):
                if route.request.url == own or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    errors.append(f"request: {route.request.url}")
                    route.abort()

            page.route("**/*", guard)
            page.goto(own)
            opened.append(page)
            return RenderedPage(page, errors)

        yield render
        browser.close()
