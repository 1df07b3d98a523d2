"""Where watch gets a page from, and how it keeps one: plain HTTP (httpx: the page as the server sends it,
preserved as one response record), or headless Chromium (the page after its JavaScript ran, through an
optional signed-in profile, preserved with every exchange, the screenshot and the DOM)."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import httpx

from wildtrace.evidence._browser import CHROMIUM, Rendered, browser_context, preserve_page, render
from wildtrace.evidence._capture import Evidence
from wildtrace.evidence._fetch import USER_AGENT, Fetched
from wildtrace.model import Capture

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


class PageError(Exception):
    """A page that could not be loaded at all (network failure, timeout): no answer, so no outcome."""


@dataclass(frozen=True)
class Page:
    """A loaded page: ``fetched`` is what watch reads (status and headers as the server answered; the body
    as sent, or the rendered DOM in a browser); ``rendered`` is the browser's view, if any."""

    fetched: Fetched
    rendered: Rendered | None = None


class Pages(Protocol):
    def load(self, url: str) -> Page: ...

    def picture(self, url: str) -> bytes | None: ...

    def keep(self, evidence: Evidence, url: str, page: Page, post_id: str | None, version_of: str | None,
             removed: bool, when: datetime) -> Capture: ...

    def close(self) -> None: ...


class HttpPages:
    """Pages over plain HTTP, one connection pool for a round."""

    def __init__(self, timeout: float) -> None:
        self.client = httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT})

    def load(self, url: str) -> Page:
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise PageError(str(exc)) from None
        return Page(Fetched(str(response.url), response.status_code, response.reason_phrase,
                            list(response.headers.multi_items()), response.content))

    def picture(self, url: str) -> bytes | None:
        try:
            response = self.client.get(url)
        except httpx.HTTPError:
            return None
        return response.content if response.status_code == 200 else None

    def keep(self, evidence: Evidence, url: str, page: Page, post_id: str | None, version_of: str | None,
             removed: bool, when: datetime) -> Capture:
        f = page.fetched
        return evidence.capture(url, f.body, "response", f.status, f.reason, f.headers, post_id=post_id,
                                version_of=version_of, removed=removed, captured_at=when)

    def close(self) -> None:
        self.client.close()


class BrowserPages:
    """Pages rendered by headless Chromium, one browser (or one persistent ``profile``) for a round."""

    def __init__(self, timeout: float, profile: str | Path | None = None, executable: str = CHROMIUM) -> None:
        self.timeout = timeout
        self._stack = ExitStack()
        self.context: BrowserContext = self._stack.enter_context(browser_context(profile, executable))
        self._seen: dict[str, bytes] = {}

    def load(self, url: str) -> Page:
        from playwright.sync_api import Error

        try:
            seen = render(self.context, url, self.timeout)
        except Error as exc:
            raise PageError(str(exc).splitlines()[0]) from None
        self._seen = {e.url: e.body for e in seen.exchanges if e.status == 200 and e.body}
        return Page(Fetched(seen.url, seen.status, seen.reason, seen.headers, seen.dom), seen)

    def picture(self, url: str) -> bytes | None:
        """The picture as the page loaded it, else fetched with the browser's cookies."""
        from playwright.sync_api import Error

        if url in self._seen:
            return self._seen[url]
        try:
            response = self.context.request.get(url, timeout=self.timeout * 1000)
        except Error:
            return None
        return response.body() if response.status == 200 else None

    def keep(self, evidence: Evidence, url: str, page: Page, post_id: str | None, version_of: str | None,
             removed: bool, when: datetime) -> Capture:
        seen = page.rendered
        if seen is None:
            raise ValueError(f"{url}: not loaded in the browser")
        return preserve_page(evidence, seen.url, seen.screenshot, seen.dom, seen.software, seen.exchanges, post_id,
                             when, version_of=version_of, removed=removed)

    def close(self) -> None:
        self._stack.close()
