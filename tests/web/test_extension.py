"""The browser extension (extension/, Manifest V3, loaded unpacked in Chromium) sends the page being read,
its screenshot and the selected text to a test workbench; the capture is chained in the evidence store and
the page is queued for review."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.web.conftest import CHROMIUM
from wildtrace.evidence import CHROMIUM_ARGS, Evidence
from wildtrace.model import Capture, Post, Verdict
from wildtrace.service import create_token
from wildtrace.simulate import serve_loopback

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>旧货市场</title></head><body>"
        "<p>闲置转让 <span id='offer'>老料象牙手镯 8000元 加V: ivory_king2</span> 顺丰包邮</p></body></html>")


@pytest.fixture
def market() -> Iterator[str]:
    with serve_loopback(lambda path: (200, PAGE.encode(), "text/html; charset=utf-8")) as base:
        yield f"{base}/item/77"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_the_extension_captures_the_page_to_the_workbench(served, market: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    base, store, ids = served
    token = create_token(store, "investigator", "extension")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(), executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"])
        try:
            worker = context.service_workers[0] if context.service_workers else \
                context.wait_for_event("serviceworker", timeout=30_000)
            worker.evaluate("s => chrome.storage.local.set(s)", {"workbench": base + "/", "token": token})
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(market)
            page.evaluate("() => { const r = document.createRange(); r.selectNodeContents(document.getElementById("
                          "'offer')); getSelection().removeAllRanges(); getSelection().addRange(r); }")
            answer = worker.evaluate("() => captureTab()")
        finally:
            context.close()
    post = store.get(Post, answer["post_id"])
    assert post is not None and post.text == "老料象牙手镯 8000元 加V: ivory_king2" and post.url == market
    assert post.source == "extension" and store.get(Verdict, post.id) is not None  # in the review queue
    capture = store.get(Capture, answer["capture"])
    assert capture is not None and capture.post_id == post.id and capture.url == market
    evidence = Evidence(store, ids["data_dir"])
    with evidence.warc_file(capture).open("rb") as fh:
        records = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read() for r in ArchiveIterator(fh)
                   if r.rec_type == "resource"}
    assert records[f"urn:view:{market}"].startswith(b"\x89PNG")
    assert "老料象牙手镯" in records[f"urn:dom:{market}"].decode()
    assert records[f"urn:selection:{market}"].decode() == post.text
    assert evidence.verify(only=[capture.sha256]).ok  # chained like any other (the test world's pictures have no file)
