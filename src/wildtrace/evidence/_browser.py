"""Capture as a browser sees it: the page loaded in headless Chromium (Playwright driving Debian's
``/usr/bin/chromium``), every request and response it made written into one WARC file as Webrecorder's
tools do, with a full-page screenshot (``urn:view:<url>``) and the rendered DOM (``urn:dom:<url>``) as
``resource`` records; the browser's own user agent. A persistent profile (a signed-in session) lives
outside the evidence store and is never exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildtrace.evidence._anchor import outside
from wildtrace.evidence._blobs import sha256_bytes
from wildtrace.evidence._capture import CaptureRequest, Evidence
from wildtrace.evidence._warc import Exchange, build_browser_warc
from wildtrace.model import Capture

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Response

CHROMIUM = "/usr/bin/chromium"
# Headless on a closed network: no sandbox in containers, no GPU, no calls home (docs: dependencies).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass(frozen=True)
class BrowserCapture:
    """What a browser capture preserved: the capture (one WARC file) and what is inside it."""

    capture: Capture
    exchanges: int
    screenshot_sha256: str
    dom_sha256: str
    user_agent: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.capture.model_dump(mode="json"), "exchanges": self.exchanges,
                "screenshot_sha256": self.screenshot_sha256, "dom_sha256": self.dom_sha256,
                "user_agent": self.user_agent}


@contextmanager
def browser_context(profile: str | Path | None = None, executable: str = CHROMIUM) -> Iterator[BrowserContext]:
    """A headless Chromium context: a fresh one, or the persistent ``profile`` folder (cookies, sign-ins)."""
    from playwright.sync_api import sync_playwright

    if not Path(executable).is_file():
        raise FileNotFoundError(f"{executable}: Chromium is not installed (scripts/system-deps.sh installs it)")
    with sync_playwright() as pw:
        if profile is not None:
            Path(profile).mkdir(parents=True, exist_ok=True)
            context = pw.chromium.launch_persistent_context(str(profile), executable_path=executable, headless=True,
                                                            args=CHROMIUM_ARGS)
            try:
                yield context
            finally:
                context.close()
        else:
            browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser.new_context()
            finally:
                browser.close()


def _exchange(response: Response) -> Exchange:
    request = response.request
    try:
        body = response.body()
    except Exception:
        body = b""
    return Exchange(response.url, request.method, [(h["name"], h["value"]) for h in request.headers_array()],
                    request.post_data_buffer or b"", response.status, response.status_text,
                    [(h["name"], h["value"]) for h in response.headers_array()], body)


@dataclass(frozen=True)
class Rendered:
    """A page as Chromium showed it: where it landed, its document's status and headers, the screenshot, the
    DOM after the scripts ran, every exchange, and the browser that did it."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    screenshot: bytes
    dom: bytes
    exchanges: list[Exchange]
    software: str
    user_agent: str
    captured_at: datetime


def render(context: BrowserContext, url: str, timeout: float = 30.0) -> Rendered:
    """Load ``url`` in a new page of ``context`` until the network is idle (Playwright errors propagate)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url}: only http(s) URLs can be loaded in the browser")
    responses: list[Response] = []
    page = context.new_page()
    try:
        page.on("response", lambda response: responses.append(response))
        main = page.goto(url, wait_until="networkidle", timeout=timeout * 1000)
        when = datetime.now(UTC)
        screenshot = page.screenshot(full_page=True, type="png")
        dom = page.content().encode("utf-8")
        agent = str(page.evaluate("navigator.userAgent"))
        exchanges = [_exchange(r) for r in responses]
    finally:
        page.close()
    software = f"Chromium {context.browser.version if context.browser else ''}".strip()
    return Rendered(main.url if main is not None else url, main.status if main is not None else 200,
                    main.status_text if main is not None else "",
                    [(h["name"], h["value"]) for h in main.headers_array()] if main is not None else [],
                    screenshot, dom, exchanges, f"{software} ({agent})", agent, when)


def capture_with_browser(evidence: Evidence, url: str, post_id: str | None = None,
                         profile: str | Path | None = None, timeout: float = 30.0,
                         executable: str = CHROMIUM) -> BrowserCapture:
    """Load ``url`` in Chromium until the network is idle and preserve it (one WARC file, logged and stored
    like any capture; the screenshot and the DOM also kept as blobs)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url}: only http(s) URLs can be captured with the browser")
    if profile is not None:
        outside(profile, evidence.root.parent, "browser profile")
    with browser_context(profile, executable) as context:
        seen = render(context, url, timeout)
    capture = preserve_page(evidence, seen.url, seen.screenshot, seen.dom, seen.software, seen.exchanges, post_id,
                            seen.captured_at)
    return BrowserCapture(capture, len(seen.exchanges), sha256_bytes(seen.screenshot), sha256_bytes(seen.dom),
                          seen.user_agent)


def preserve_page(evidence: Evidence, url: str, screenshot: bytes, dom: bytes, software: str,
                  exchanges: list[Exchange] | None = None, post_id: str | None = None,
                  captured_at: datetime | None = None, selection: str = "", version_of: str | None = None,
                  removed: bool = False) -> Capture:
    """Preserve a page as a browser showed it (one WARC file: its exchanges, the screenshot as
    ``urn:view:<url>``, the DOM as ``urn:dom:<url>``, the selected text as ``urn:selection:<url>``), logged
    and stored like any capture; the screenshot and the DOM are kept as blobs too. The capture's body is
    the page's document as received, else the DOM; ``version_of`` and ``removed`` as for any capture."""
    if not screenshot.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("the screenshot is not a PNG image")
    when = captured_at or datetime.now(UTC)
    resources = [(f"urn:view:{url}", "image/png", screenshot), (f"urn:dom:{url}", "text/html; charset=utf-8", dom)]
    if selection:
        resources.append((f"urn:selection:{url}", "text/plain; charset=utf-8", selection.encode("utf-8")))
    document = next((e for e in exchanges or [] if e.url == url), None)
    warc = build_browser_warc(exchanges or [], resources, when, evidence.collector, software, post_id)
    capture = evidence.capture_many([CaptureRequest(
        url, document.body if document else dom, "response" if document else "resource",
        document.status if document else None, document.reason if document else "",
        document.response_headers if document else None, None if document else "text/html; charset=utf-8",
        post_id=post_id, version_of=version_of, removed=removed, captured_at=when, warc=warc)])[0]
    for data in (screenshot, dom):
        evidence.blobs.put(data)
    return capture
