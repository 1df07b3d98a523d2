"""WARC records (warcio): one small WARC file per capture, warcinfo first, then the record."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

# Headers that describe the transfer, not the body: the body is stored decoded.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def build_warc(url: str, body: bytes, captured_at: datetime, collector: str, kind: str = "response",
               status: int | None = None, reason: str = "", headers: list[tuple[str, str]] | None = None,
               content_type: str = "application/octet-stream", post_id: str | None = None) -> bytes:
    """The bytes of a gzipped WARC file holding a warcinfo record and one ``kind`` record for ``url``.

    ``response`` keeps the HTTP status line and headers (transfer encodings dropped, since the body is
    the decoded one); ``resource`` and ``metadata`` keep the body with its content type.
    """
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    date = datetime_to_iso_date(captured_at.astimezone(UTC).replace(tzinfo=None), use_micros=True)
    info = {"software": f"WildTrace {version('wildtrace')}", "operator": collector,
            "format": "WARC File Format 1.1", "isPartOf": post_id or ""}
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", {k: v for k, v in info.items() if v}))
    extra = {"WARC-Date": date}
    if kind == "response":
        kept = [(k, v) for k, v in (headers or []) if k.lower() not in _TRANSFER_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status or 200} {reason or 'OK'}".strip(), kept, protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                           http_headers=http, warc_headers_dict=extra)
    else:
        record = writer.create_warc_record(url, kind, payload=io.BytesIO(body), length=len(body),
                                           warc_content_type=content_type, warc_headers_dict=extra)
    writer.write_record(record)
    return buf.getvalue()


@dataclass(frozen=True)
class Exchange:
    """One request a browser made and the response it got (the body as the browser received it, decoded)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes


def build_browser_warc(exchanges: list[Exchange], resources: list[tuple[str, str, bytes]], captured_at: datetime,
                       collector: str, software: str, post_id: str | None = None) -> bytes:
    """A gzipped WARC file of a page as a browser loaded it, as Webrecorder's tools write one: a ``warcinfo``
    record naming the browser, a ``response`` and its ``request`` record for every exchange, and a
    ``resource`` record for each of ``resources`` (URI, content type, bytes: the screenshot, the DOM)."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    date = datetime_to_iso_date(captured_at.astimezone(UTC).replace(tzinfo=None), use_micros=True)
    info = {"software": f"WildTrace {version('wildtrace')}", "browser": software, "operator": collector,
            "format": "WARC File Format 1.1", "isPartOf": post_id or ""}
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", {k: v for k, v in info.items() if v}))
    for ex in exchanges:
        kept = [(k, v) for k, v in ex.response_headers if k.lower() not in _TRANSFER_HEADERS]
        kept.append(("Content-Length", str(len(ex.body))))
        http = StatusAndHeaders(f"{ex.status} {ex.reason or 'OK'}".strip(), kept, protocol="HTTP/1.1")
        response = writer.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
                                             http_headers=http, warc_headers_dict={"WARC-Date": date})
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        asked = StatusAndHeaders(f"{ex.method} {target} HTTP/1.1", ex.request_headers, is_http_request=True)
        request = writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(ex.request_body), length=len(ex.request_body), http_headers=asked,
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        writer.write_record(response)
        writer.write_record(request)
    for uri, ctype, data in resources:
        writer.write_record(writer.create_warc_record(uri, "resource", payload=io.BytesIO(data), length=len(data),
                                                      warc_content_type=ctype, warc_headers_dict={"WARC-Date": date}))
    return buf.getvalue()
