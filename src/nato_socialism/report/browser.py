"""A local Chromium driven by Playwright, offline: PNG export, the browser tests and the bench use it.

Playwright cannot download its own browser here (no network), so the system's Chromium is
used (Debian: ``apt-get install chromium``), found at ``$NATO_SOCIALISM_CHROMIUM``, else
``/usr/bin/chromium`` or the first of ``chromium``, ``chromium-browser``, ``google-chrome``
on the ``PATH``. Every request that leaves the machine (anything but ``file:``, ``data:``,
``blob:``, ``about:`` and the loopback address the dashboard serves on) is aborted and
recorded, so a page that tries the network is noticed, not silently served.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UserError

#: Flags for a headless Chromium without a sandbox (containers, root) that stays off the network.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """Path of the Chromium to use.

    Raises
    ------
    UserError
        If none is found.
    """
    given = os.environ.get("NATO_SOCIALISM_CHROMIUM", "").strip()
    if given:
        if not Path(given).is_file():
            raise UserError(f"NATO_SOCIALISM_CHROMIUM={given} is not a file; point it at a Chromium or Chrome binary.")
        return given
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise UserError("PNG export needs a local Chromium (Debian/Ubuntu: `apt-get install chromium`) or "
                    "NATO_SOCIALISM_CHROMIUM=/path/to/chrome; the HTML report itself needs none.")


def is_local(url: str) -> bool:
    """True for URLs that do not leave the machine (``file:``, ``data:``, ``blob:``, ``about:``, loopback HTTP)."""
    if url.startswith(("file:", "data:", "blob:", "about:")):
        return True
    parts = urlsplit(url)
    return parts.scheme in ("http", "ws") and parts.hostname in ("127.0.0.1", "localhost")


@contextmanager
def offline_page(viewport: tuple[int, int] = (1400, 900)) -> Iterator[tuple[object, list[str]]]:
    """A Playwright page in a fresh headless Chromium whose non-local requests are aborted.

    Yields ``(page, blocked)``: ``blocked`` lists every URL the page tried to fetch from the network.
    Further pages of ``page.context`` (a second browser tab) are blocked the same way.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a declared dependency
        raise UserError("PNG export needs the `playwright` package (pip install playwright).") from None
    executable = find_chromium()
    blocked: list[str] = []

    def route(r):
        if is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        except PlaywrightError as err:
            raise UserError(f"cannot start Chromium at {executable}: {str(err).splitlines()[0]}") from None
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.route("**/*", route)
            yield context.new_page(), blocked
        finally:
            browser.close()
