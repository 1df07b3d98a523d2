"""WARC records (warcio): one small WARC file per capture, warcinfo first, then the record."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from importlib.metadata import version

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
