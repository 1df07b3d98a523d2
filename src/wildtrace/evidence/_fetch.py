"""Fetching a URL for capture (httpx): the status, headers and decoded body as the server sent them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

import httpx

USER_AGENT = f"WildTrace/{version('wildtrace')} (evidence capture)"


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def content_type(self) -> str:
        found = next((v for k, v in self.headers if k.lower() == "content-type"), "")
        return found or "application/octet-stream"


def fetch(url: str, timeout: float = 30.0, client: httpx.Client | None = None) -> Fetched:
    """GET ``url`` following redirects; any HTTP status is a result, a network failure raises ``httpx.HTTPError``."""
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT})
    try:
        response = client.get(url)
        return Fetched(str(response.url), response.status_code, response.reason_phrase,
                       list(response.headers.multi_items()), response.content)
    finally:
        if own:
            client.close()
