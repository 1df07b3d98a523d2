"""Watching sources: re-capture a watchlist of URLs, keep every edit as a new version, and record
when a post disappears (HTTP 404/410 or a "removed" marker on the page) without losing what was
captured before."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from wildtrace.evidence._anchor import outside
from wildtrace.evidence._browser import CHROMIUM
from wildtrace.evidence._capture import Evidence
from wildtrace.evidence._fetch import Fetched
from wildtrace.evidence._pages import BrowserPages, HttpPages, PageError, Pages
from wildtrace.evidence._postview import describe_change, post_view, view_signature
from wildtrace.evidence._schedule import Politeness, next_check, valid_schedule
from wildtrace.log import get_logger
from wildtrace.model import Capture, Post

log = get_logger(__name__)

# Phrases platforms show in place of a removed post (case-insensitive); a watch entry may add its own.
DEFAULT_MARKERS = (
    "this content isn't available", "this content is no longer available", "this post has been removed",
    "this post was deleted", "post not found", "this listing has been removed", "page not found",
    "该内容已被删除", "内容已删除", "此帖已被删除", "该帖子已被删除", "帖子不存在", "该商品已下架", "商品已下架",
    "页面不存在", "已被发布者删除", "该内容已被发布者删除", "此内容因违规无法查看", "账号已被封禁",
)
GONE_STATUSES = (404, 410)
MAX_DISCOVERED = 200  # new posts taken from one listing in one round


@dataclass(frozen=True)
class WatchResult:
    """One check of one URL. ``outcome``: new, unchanged, edited, removed, still_removed, reappeared, error."""

    url: str
    outcome: str
    http_status: int | None = None
    capture: str | None = None
    version_of: str | None = None
    message: str = ""
    discovered: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Watcher:
    """The watchlist in the store and the loop that re-captures it: over plain HTTP, or with ``browser`` in
    headless Chromium (pages rendered by their JavaScript, through the signed-in ``profile`` if given, kept
    with every exchange and a screenshot)."""

    def __init__(self, evidence: Evidence, timeout: float = 30.0, markers: tuple[str, ...] = DEFAULT_MARKERS,
                 browser: bool = False, profile: str | Path | None = None, executable: str = CHROMIUM) -> None:
        if profile is not None and not browser:
            raise ValueError("a browser profile is only used when watching with the browser")
        if profile is not None:
            outside(profile, evidence.root.parent, "browser profile")
        self.evidence = evidence
        self.store = evidence.store
        self.timeout = timeout
        self.markers = markers
        self.browser, self.profile, self.executable = browser, profile, executable

    @contextmanager
    def pages(self) -> Iterator[Pages]:
        """Where one round loads its pages from (one HTTP client, or one browser)."""
        pages: Pages = BrowserPages(self.timeout, self.profile, self.executable) if self.browser \
            else HttpPages(self.timeout)
        try:
            yield pages
        finally:
            pages.close()

    def add(self, url: str, post_id: str | None = None, marker: str | None = None, discover: str | None = None,
            discovered_from: str | None = None, schedule: str | None = None) -> dict[str, Any]:
        """Put ``url`` on the watchlist (again: updates its post, marker and discovery pattern). Without
        ``post_id``, the post stored with that URL, if any. With ``discover`` (a regular expression), the
        page is a listing: each round, the links it holds to the same host that match are watched too.
        ``schedule`` (a cron expression) says when ``run_forever`` checks it."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url}: only http(s) URLs can be watched")
        if discover is not None:
            try:
                re.compile(discover)
            except re.error as exc:
                raise ValueError(f"--discover {discover!r}: not a regular expression ({exc})") from None
        if schedule is not None:
            valid_schedule(schedule)
        if post_id is None:
            found = self.store.find(Post, "url = ?", (url,), limit=1)
            post_id = found[0].id if found else None
        self.store.execute(
            "INSERT INTO watchlist (url, post_id, marker, added_at, versions, gone, discover, discovered_from, "
            "schedule) VALUES (?, ?, ?, ?, 0, FALSE, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "post_id = excluded.post_id, marker = excluded.marker, discover = excluded.discover, "
            "schedule = excluded.schedule, next_check_at = NULL",
            (url, post_id, marker, datetime.now(UTC), discover, discovered_from, schedule))
        return self.get(url) or {}

    def _discover(self, row: dict[str, Any], fetched: Fetched) -> list[str]:
        """Watch the posts a listing links to (same host, matching its pattern) that are not watched yet."""
        known = {r["url"] for r in self.entries()}
        added = [link for link in linked_posts(fetched, row["discover"]) if link not in known][:MAX_DISCOVERED]
        for link in added:
            self.add(link, discovered_from=row["url"])
        return added

    def remove(self, url: str) -> bool:
        if self.get(url) is None:
            return False
        self.store.execute("DELETE FROM watchlist WHERE url = ?", (url,))
        return True

    def get(self, url: str) -> dict[str, Any] | None:
        rows = self.store.query("SELECT * FROM watchlist WHERE url = ?", (url,))
        return rows[0] if rows else None

    def entries(self) -> list[dict[str, Any]]:
        return self.store.query("SELECT * FROM watchlist ORDER BY added_at, url")

    def run_once(self, on_result: Callable[[WatchResult], None] | None = None) -> list[WatchResult]:
        """Check every URL on the watchlist once."""
        results = []
        with self.pages() as pages:
            for row in self.entries():
                result = self.check(row, pages)
                results.append(result)
                if on_result:
                    on_result(result)
        return results

    def run_due(self, now: datetime, interval: float, jitter: float = 0.0, politeness: Politeness | None = None,
                on_result: Callable[[WatchResult], None] | None = None) -> list[WatchResult]:
        """Check the URLs that are due at ``now`` (never checked, or their next check has come), politely per
        host; each then gets its next check from its schedule (or ``interval``) plus jitter."""
        due = [r for r in self.entries() if r["next_check_at"] is None or r["next_check_at"] <= now]
        results = []
        with self.pages() as pages:
            for row in due:
                if politeness is not None:
                    politeness.wait(row["url"])
                result = self.check(row, pages)
                self.store.execute("UPDATE watchlist SET next_check_at = ? WHERE url = ?",
                                   (next_check(row["schedule"], now, interval, jitter), row["url"]))
                results.append(result)
                if on_result:
                    on_result(result)
        return results

    def run_forever(self, interval: float, jitter: float = 0.0, per_host_delay: float = 0.0,
                    on_result: Callable[[WatchResult], None] | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> None:
        """Check what is due, sleep until the next URL is due (a minute at most, so new entries are seen),
        and again, until interrupted."""
        politeness = Politeness(per_host_delay, sleep)
        while True:
            self.run_due(datetime.now(UTC), interval, jitter, politeness, on_result)
            upcoming = [r["next_check_at"] for r in self.entries() if r["next_check_at"] is not None]
            wait = (min(upcoming) - datetime.now(UTC)).total_seconds() if upcoming else 60.0
            sleep(min(60.0, max(1.0, wait)))

    def run(self, interval: float, rounds: int | None = None,
            on_result: Callable[[WatchResult], None] | None = None) -> int:
        """Check the watchlist every ``interval`` seconds (``rounds`` times, or until interrupted)."""
        done = 0
        while rounds is None or done < rounds:
            started = time.monotonic()
            self.run_once(on_result)
            done += 1
            if rounds is None or done < rounds:
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
        return done

    def check(self, row: dict[str, Any], pages: Pages) -> WatchResult:
        """Load one watched URL and record what changed."""
        url = row["url"]
        now = datetime.now(UTC)
        try:
            page = pages.load(url)
        except PageError as exc:
            self._update(url, now, None, row["last_capture"], row["text_sha256"], row["gone"], f"{exc}", 0)
            return WatchResult(url, "error", message=f"could not fetch: {exc}")
        fetched = page.fetched
        gone = self._gone(fetched, row["marker"])
        if not gone and not 200 <= fetched.status < 300:
            self._update(url, now, fetched.status, row["last_capture"], row["text_sha256"], row["gone"],
                         f"HTTP {fetched.status}", 0)
            return WatchResult(url, "error", fetched.status, message=f"HTTP {fetched.status}; checked again next round")
        found = self._discover(row, fetched) if row.get("discover") and not gone else []
        view = None if gone else post_view(fetched.url, fetched.body, fetched.content_type, pages.picture)
        signature = None if view is None else view_signature(view)
        previous = row["last_capture"]
        if previous is None:
            outcome = "removed" if gone else "new"
        elif gone:
            outcome = "still_removed" if row["gone"] else "removed"
        elif row["gone"]:
            outcome = "reappeared"
        else:
            outcome = "unchanged" if signature == row["text_sha256"] else "edited"
        if outcome in ("unchanged", "still_removed"):
            self._update(url, now, fetched.status, previous, row["text_sha256"], gone, None, 0)
            return WatchResult(url, outcome, fetched.status, previous, discovered=tuple(found))
        change = "; ".join(describe_change(json.loads(row["post_view"]) if row.get("post_view") else None, view)) \
            if outcome == "edited" and view is not None else ""
        capture = pages.keep(self.evidence, url, page, row["post_id"], previous, gone, now)
        if gone and row["post_id"]:
            self._mark_deleted(row["post_id"], capture)
        self._update(url, now, fetched.status, capture.sha256, signature or row["text_sha256"], gone, None,
                     0 if gone else 1, view, change)
        log.info("watch %s: %s %s", url, outcome, change)
        return WatchResult(url, outcome, fetched.status, capture.sha256, previous, change, tuple(found))

    def _gone(self, fetched: Fetched, marker: str | None) -> bool:
        if fetched.status in GONE_STATUSES:
            return True
        if not fetched.content_type.startswith(("text/", "application/xhtml", "application/json")):
            return False
        text = fetched.body.decode("utf-8", errors="replace").lower()
        return any(m.lower() in text for m in (*self.markers, *([marker] if marker else [])))

    def _mark_deleted(self, post_id: str, capture: Capture) -> None:
        post = self.store.get(Post, post_id)
        if post is not None and post.deleted_at is None:
            self.store.put([post.model_copy(update={"deleted_at": capture.captured_at})])

    def _update(self, url: str, when: datetime, status: int | None, capture: str | None, signature: str | None,
                gone: bool, error: str | None, new_versions: int, view: dict[str, Any] | None = None,
                change: str = "") -> None:
        self.store.execute(
            "UPDATE watchlist SET last_checked_at = ?, last_status = ?, last_capture = ?, text_sha256 = ?, "
            "gone = ?, error = ?, versions = versions + ?, post_view = coalesce(?, post_view), "
            "last_change = coalesce(?, last_change) WHERE url = ?",
            (when, status, capture, signature, gone, error, new_versions,
             json.dumps(view, ensure_ascii=False) if view is not None else None, change or None, url))


def linked_posts(fetched: Fetched, pattern: str) -> list[str]:
    """The links of a listing page to the same host whose URL matches ``pattern``, in page order, once each
    (fragments dropped)."""
    if "html" not in fetched.content_type or not fetched.body.strip():
        return []
    host, wanted = urlsplit(fetched.url).netloc, re.compile(pattern)
    links = []
    for href in lxml.html.document_fromstring(fetched.body).xpath("//a/@href"):
        link = urldefrag(urljoin(fetched.url, str(href).strip())).url
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and parts.netloc == host and wanted.search(link):
            links.append(link)
    return list(dict.fromkeys(links))

