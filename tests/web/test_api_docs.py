"""The API docs render in headless Chromium with the app's own Content-Security-Policy and no network beyond
the workbench: Swagger UI comes from the installed package, not from a CDN."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_offline_under_the_csp(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, _store, _ids = served
    context = browser.new_context()  # the CSP is enforced
    outside: list[str] = []

    def only_loopback(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # an offline machine: anything else fails
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(f"{base}/api/docs")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=30000)
    assert "WildTrace workbench" in page.inner_text(".info .title")
    paths = page.locator(".opblock .opblock-summary-path").all_inner_texts()
    documented = set(httpx.get(f"{base}/api/openapi.json").json()["paths"])
    assert len(documented) >= 10 and "/api/cases" in documented
    assert {p.replace("\u200b", "") for p in paths} == documented  # every operation of the API is shown
    page.locator(".opblock-summary", has_text="/api/cases").first.click()  # an operation opens
    page.wait_for_selector(".opblock.is-open .opblock-body")
    page.screenshot(path=shots / "api-docs.png", full_page=False)
    assert not outside, f"the docs page tried to reach the network: {outside}"
    assert not [b for b in blocked if "script" in b], blocked
    context.close()
