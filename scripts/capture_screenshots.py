"""The screenshots of docs/ingest.md's capture flow, remade from a small simulated world:

    python scripts/capture_screenshots.py docs/img

1. ``capture-browser.png``: a post page of the world, served on loopback, as ``evidence add --browser``
   preserved it (the ``urn:view:`` screenshot inside the capture's WARC file);
2. ``capture-extension-options.png``: the browser extension's options page (workbench address, token).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from wildtrace.evidence import CHROMIUM, CHROMIUM_ARGS, Evidence, capture_with_browser
from wildtrace.simulate import serve_world, simulate
from wildtrace.store import open_store

EXTENSION = Path(__file__).resolve().parents[1] / "extension"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="wt-shots-"))
    simulate(seed=7, scale=0.05, out=work / "world")
    pages = {p.stem for p in (work / "world" / "html").glob("*.html")}
    posts = [json.loads(line) for line in (work / "world" / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    post_id = next(p["id"] for p in posts if p["id"] in pages and p["media"])  # a saved page with a picture
    with open_store(str(work / "w.duckdb")) as store, serve_world(work / "world") as site:
        evidence = Evidence(store, work / "data", collector="ngo-monitor")
        seen = capture_with_browser(evidence, site.url(post_id), post_id=post_id)
        with evidence.warc_file(seen.capture).open("rb") as fh:
            shot = next(r.content_stream().read() for r in ArchiveIterator(fh)
                        if (r.rec_headers.get_header("WARC-Target-URI") or "").startswith("urn:view:"))
    (out / "capture-browser.png").write_bytes(shot)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(work / "profile"), executable_path=CHROMIUM, headless=True, viewport={"width": 720, "height": 220},
            args=[*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"])
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        page = context.new_page()
        page.goto(worker.url.rsplit("/", 1)[0] + "/options.html")
        page.fill("#workbench", "http://127.0.0.1:8000")
        page.fill("#token", "token-from-wildtrace-users-token")
        page.click("#save")
        page.screenshot(path=str(out / "capture-extension-options.png"))
        context.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
