"""Images named by ingested records: read only under the media roots, stored by SHA-256 as evidence.

Data is never a path to an arbitrary file: a record's image path must be relative, without ``..``,
and resolve (symbolic links followed) to a file inside one of the media roots (by default the folder
of the file being ingested). ``/etc/passwd``, ``../../secret`` or a link pointing out are refused.
A saved page's ``<img src>`` is a reference resolved against the page, and read only when it lands
inside a media root.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import unquote

from wildtrace.evidence import Evidence, sha256_bytes, sniff_type
from wildtrace.model import MediaItem

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_media(item: str, roots: list[Path]) -> Path:
    """The file ``item`` names under one of ``roots``; ``ValueError`` naming why when it may not be read."""
    if PurePosixPath(item).is_absolute() or PureWindowsPath(item).is_absolute() or item.startswith(("\\", "~")) \
            or _SCHEME.match(item):
        raise ValueError(f"{item!r} is absolute or a URL; image paths must be relative to a media root")
    if ".." in re.split(r"[\\/]", item):
        raise ValueError(f"{item!r} climbs out of its folder ('..'); image paths must stay under a media root")
    for root in roots:
        base = root.resolve()
        file = (base / item).resolve()
        if not file.is_relative_to(base):
            raise ValueError(f"{item!r} resolves outside the media root {root} (a link?)")
        if file.is_file():
            return file
    raise ValueError(f"file not found: {item} (looked under {', '.join(str(r) for r in roots)})")


def page_images(sources: list[str], page: Path, roots: list[Path]) -> list[Path]:
    """The files that a saved page's ``<img src>`` references (resolved against the page, as a browser
    would) name under ``roots``; remote, absolute and outside references are left out."""
    found = []
    folder = page.parent.resolve()
    for src in sources:
        reference = unquote(src.split("#", 1)[0].split("?", 1)[0])
        if not reference or _SCHEME.match(reference) or reference.startswith(("/", "\\")):
            continue
        target = Path(os.path.normpath(folder / reference))
        for root in roots:
            base = root.resolve()
            if target.is_relative_to(base):
                with contextlib.suppress(ValueError):
                    found.append(resolve_media(str(target.relative_to(base)), [base]))
                break
    return list(dict.fromkeys(found))


def store_media(items: Any, roots: list[Path], evidence: Evidence, media: dict[str, MediaItem]) -> list[str]:
    """Store each image a post lists by path (under ``roots``) in the evidence store; return their SHA-256s.
    A path that may not be read raises :class:`MediaError` naming the entry (``media.<i>``)."""
    if not isinstance(items, list):
        raise MediaError("media", "expected a list of image paths or SHA-256s")
    hashes = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise MediaError(f"media.{i}", f"expected a path, got {item!r}")
        if _SHA256.match(item):
            hashes.append(item)
            continue
        hashes.append(_store_file(f"media.{i}", item, roots, evidence, media).sha256)
    return hashes


def store_files(files: list[Path], evidence: Evidence, media: dict[str, MediaItem]) -> list[str]:
    """Store files already resolved under the media roots (a page's images); return their SHA-256s."""
    return [_keep(file, file.read_bytes(), evidence, media).sha256 for file in files]


def media_record(values: dict[str, Any], roots: list[Path], evidence: Evidence,
                 media: dict[str, MediaItem]) -> dict[str, Any]:
    """A media record whose ``path`` names an image: the image is stored, and the record then points at
    the evidence store's copy (its ``sha256`` must match the file's when given)."""
    path = values.get("path")
    if path is None:
        return values
    if not isinstance(path, str):
        raise MediaError("path", f"expected a path, got {type(path).__name__}")
    item = _store_file("path", path, roots, evidence, media)
    if values.get("sha256") not in (None, item.sha256):
        raise MediaError("sha256", f"does not match the file {path} (its SHA-256 is {item.sha256})")
    return {**values, "sha256": item.sha256, "path": item.path, "size": item.size,
            "mime": values.get("mime") or item.mime}


class MediaError(ValueError):
    """An image a record names that cannot be taken: ``field`` and ``reason``."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"field '{field}': {reason}")


def _store_file(field: str, item: str, roots: list[Path], evidence: Evidence,
                media: dict[str, MediaItem]) -> MediaItem:
    try:
        file = resolve_media(item, roots)
        data = file.read_bytes()
    except (ValueError, OSError) as exc:
        raise MediaError(field, str(exc)) from None
    return _keep(file, data, evidence, media)


def _keep(file: Path, data: bytes, evidence: Evidence, media: dict[str, MediaItem]) -> MediaItem:
    """The media row of an image, its bytes kept in the evidence store. Its path is the blob's absolute path
    when stored; readers find the blob by SHA-256 under the data folder they are given first, so a store moved
    or restored elsewhere still finds its pictures."""
    sha = sha256_bytes(data)
    if sha not in media and evidence.find_payload(sha) is None:
        evidence.capture(file.as_uri(), data, "resource", content_type=sniff_type(data, file.name))
    media[sha] = MediaItem(sha256=sha, mime=sniff_type(data, file.name), size=len(data),
                           path=str(evidence.blobs.path(sha).resolve()))
    return media[sha]
