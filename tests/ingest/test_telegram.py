"""Telegram Desktop exports (``result.json`` with ``photos/``): read as posts, end to end through ingest and screen.

``data/telegram_export/`` is a hand-written export in Telegram Desktop's JSON layout (a private supergroup:
a join, a Chinese ad with a phone entity and a photo, an edited Vietnamese ad, a forwarded English ad with a
mention and a hidden link, a reply, a pin, a video the export left out). Hostile messages are added per test.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wildtrace.cli._common import PARTIAL
from wildtrace.cli.main import app
from wildtrace.ingest import detect_format, ingest_records, read_quarantine, versions_of
from wildtrace.ingest._convert import post_hash
from wildtrace.ingest._telegram import is_telegram_export, read_telegram
from wildtrace.model import Account, MediaItem, Post, Verdict
from wildtrace.store import Store, open_store

EXPORT = Path(__file__).parent / "data" / "telegram_export"
CHAT = 1873401223


def _export(tmp_path: Path, *extra: dict[str, Any], name: str = "ChatExport_2026-03-07") -> Path:
    """A copy of the hand-written export with ``extra`` messages appended, written as Telegram does."""
    folder = tmp_path / name
    shutil.copytree(EXPORT, folder)
    data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    data["messages"].extend(extra)
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def _message(msg_id: int, text: Any, **fields: Any) -> dict[str, Any]:
    return {"id": msg_id, "type": "message", "date": "2026-03-07T01:00:00", "date_unixtime": "1772816400",
            "from": "Lão Tư", "from_id": "user5512093377", "text": text, **fields}


def _run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code in (0, PARTIAL), result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_export_folder_is_ingested_then_screened_the_ads_flagged_and_the_phones_extracted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.chdir(tmp_path)
    done = _run("ingest", str(EXPORT))
    assert done["sources"] == [str(EXPORT / "result.json")]
    assert (done["read"], done["added"], done["quarantined"]) == (5, 5, 0)
    assert done["skipped"] == {"service: join_group_by_link": 1, "service: pin_message": 1}
    assert (done["media_added"], done["accounts_added"]) == (1, 3)
    assert _run("ingest", str(EXPORT))["already_done"]
    with open_store(str(tmp_path / "w.duckdb")) as st:
        posts = {p.id: p for p in st.find(Post, "platform = ?", ("telegram",))}
        assert sorted(posts) == [f"telegram:{CHAT}:{i}" for i in (2, 3, 4, 5, 7)]
        ad = posts[f"telegram:{CHAT}:2"]
        assert ad.text == "新到一批XY手镯，非洲老料，实物拍摄，克价28，量大从优，有意私聊 +86 138 2745 1190 #象牙"
        assert ad.posted_at == datetime(2026, 3, 5, 15, 41, 7, tzinfo=UTC)  # date_unixtime, exact
        assert ad.account_id == "telegram:user6019283746" and ad.source.endswith(f"result.json#chat{CHAT}")
        (photo,) = ad.media
        stored = st.get(MediaItem, photo)
        assert stored is not None and stored.mime == "image/jpeg"
        assert st.get(Account, "telegram:user5512093377").display_name == "Lão Tư"
        assert posts[f"telegram:{CHAT}:4"].text.endswith(
            "DM @ivory_trader_hk or see our catalogue (https://example.org/catalogue/ivory)")
        assert posts[f"telegram:{CHAT}:7"].media == []  # "(File not included ...)" is not a path
        assert {p.venue for p in posts.values()} == {"象牙 收藏 交流 🐘"}  # the chat's name
        related = sorted((i, p.forwarded_from, p.reply_to) for i, p in posts.items() if p.forwarded_from or p.reply_to)
        assert related == [
            (f"telegram:{CHAT}:4", "Ivory Market HK", None), (f"telegram:{CHAT}:5", None, f"telegram:{CHAT}:4")]
    screened = _run("screen", "--no-ocr")
    assert screened["screened"] == 5
    with open_store(str(tmp_path / "w.duckdb")) as st:
        chinese, vietnamese, reply = (st.get(Verdict, f"telegram:{CHAT}:{i}") for i in (2, 3, 5))
    assert chinese.tier == "high" and "elephant" in chinese.species
    assert vietnamese.tier == "high" and "rhinoceros" in vietnamese.species
    assert reply.tier == "none"
    assert {c["value"] for c in chinese.extracted["contacts"] if c["kind"] == "phone"} == {"+8613827451190"}
    assert {c["value"] for c in vietnamese.extracted["contacts"] if c["kind"] == "phone"} == {"+84912345678"}


def test_hostile_messages_are_quarantined_by_message_and_field_and_the_rest_goes_on(
        tmp_path: Path, backend_store: Store) -> None:
    outside = tmp_path / "secret.jpg"
    shutil.copy(next((EXPORT / "photos").iterdir()), outside)
    script = "<script>alert(document.cookie)</script><img src=x onerror=alert(1)> 出售象牙"
    huge = "象牙手镯 " + "x" * (10 * 1024 * 1024)
    folder = _export(
        tmp_path,
        _message(20, script),
        _message(21, "看图", photo="../secret.jpg"),
        _message(22, "看图", photo="/etc/passwd"),
        _message(23, "看图", photo="photos/link.jpg"),
        _message(24, huge),
        _message(25, 12345),
        _message(26, ["ok ", {"type": "bold"}]),
        _message(27, "hi", from_id=77),
        _message("28", "an id that is not a number"),
        _message(29, "bad clock", date_unixtime="yesterday"),
        _message(31, "", contact_vcard="contacts/contact_1.vcard",
                 contact_information={"first_name": "Lão", "last_name": "Tư", "phone_number": "+84 912 345 678"}),
        _message(32, "", contact_information=["+84 912"]),
        _message(33, "fw", forwarded_from=["x"]),
        _message(34, "re", reply_to_message_id="4"),
    )
    (folder / "photos" / "link.jpg").symlink_to(outside)
    st = backend_store
    result = ingest_records(st, folder, data_dir=tmp_path / "data")
    assert (result.read, result.added, result.quarantined, result.accounts_added) == (19, 8, 11, 3)
    assert st.get(Post, f"telegram:{CHAT}:20").text == script  # data, stored as written
    assert len(st.get(Post, f"telegram:{CHAT}:24").text) == len(huge)
    assert st.get(Post, f"telegram:{CHAT}:31").text == "Contact: Lão Tư +84 912 345 678"  # a shared contact card
    entries = read_quarantine(result.quarantine_path)
    reasons = {(e["source"].rsplit("/", 1)[-1], e["line"]): e["reason"] for e in entries}
    where = f"result.json#chat{CHAT}"
    assert "field 'media.0'" in reasons[where, 21] and "'..'" in reasons[where, 21]
    assert "field 'media.0'" in reasons[where, 22] and "absolute" in reasons[where, 22]
    assert "field 'media.0'" in reasons[where, 23] and "outside the media root" in reasons[where, 23]
    assert "message 25: field 'text'" in reasons[where, 25]
    assert "message 26: field 'text.1'" in reasons[where, 26]
    assert "message 27: field 'from_id'" in reasons[where, 27]
    assert "field 'id'" in reasons[where, -16] and "'28'" in reasons[where, -16]  # the chat's 16th message
    assert "message 29: field 'date_unixtime'" in reasons[where, 29]
    assert "message 32: field 'contact_information'" in reasons[where, 32]
    assert "message 33: field 'forwarded_from'" in reasons[where, 33]
    assert "message 34: field 'reply_to_message_id'" in reasons[where, 34]
    assert all(f"{folder}/result.json#chat{CHAT}:" in r for r in result.errors)


def test_a_message_nested_100k_levels_deep_is_quarantined_and_the_next_one_read(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    messages = [json.dumps(_message(i, f"text {i}")) for i in (1, 2, 3)]
    messages[1] = messages[1][:-1] + f', "poll": {deep}}}'
    path = tmp_path / "result.json"
    path.write_text(f'{{"about": {deep}, "chats": {{"list": [{{"name": "d", "type": "private_group", "id": 9, '
                    f'"messages": [{", ".join(messages)}]}}]}}}}', encoding="utf-8")
    assert is_telegram_export(path)
    records = list(read_telegram(path))
    assert [r.line for r in records if r.data] == [1, 3]
    assert records[1].error == "message 2: nested more than 64 levels deep"


def test_a_date_without_unixtime_is_the_export_s_local_time_and_needs_its_zone(tmp_path: Path) -> None:
    old = _message(30, "旧版导出 XY 手镯")  # Telegram Desktop before date_unixtime: local time only
    del old["date_unixtime"]
    folder = _export(tmp_path, old)
    with open_store(str(tmp_path / "w.duckdb")) as st:
        refused = ingest_records(st, folder, data_dir=tmp_path / "data")
        assert refused.quarantined == 1 and "field 'posted_at'" in refused.errors[0] and ":30:" in refused.errors[0]
        taken = ingest_records(st, folder, data_dir=tmp_path / "data", assume_tz="Asia/Shanghai")
        assert taken.added == 1
        posted = st.get(Post, f"telegram:{CHAT}:30").posted_at
    assert posted == datetime(2026, 3, 7, 1, 0, tzinfo=timezone(timedelta(hours=8)))
    assert posted.utcoffset() == timedelta(hours=8)


def test_an_edit_seen_in_a_later_export_is_kept_as_a_version(tmp_path: Path) -> None:
    first = _export(tmp_path, _message(40, "XY 手镯 克价 30"), name="before")
    edited = _message(40, "XY 手镯 克价 26 急出", edited="2026-03-07T09:00:00", edited_unixtime="1772845200")
    second = _export(tmp_path, edited, name="after")
    with open_store(str(tmp_path / "w.duckdb")) as st:
        assert ingest_records(st, first, data_dir=tmp_path / "data").added == 6
        later = ingest_records(st, second, data_dir=tmp_path / "data")
        assert (later.added, later.duplicates, later.versions) == (0, 5, 1)
        assert st.get(Post, f"telegram:{CHAT}:40").text == "XY 手镯 克价 30"
        (version,) = versions_of(st, Post, f"telegram:{CHAT}:40")
    assert version.text == "XY 手镯 克价 26 急出"


def test_the_all_chats_export_keeps_each_chat_apart(tmp_path: Path) -> None:
    chat = json.loads((EXPORT / "result.json").read_text(encoding="utf-8"))
    channel = {"name": "Sừng tê giác Hà Nội", "type": "public_channel", "id": 2201938475, "messages": [
        {"id": 2, "type": "message", "date": "2026-03-08T10:00:00", "date_unixtime": "1772935200",
         "from": "Sừng tê giác Hà Nội", "from_id": "channel2201938475", "text": "Hàng mới: sừng tê nguyên khối"}]}
    everything = {"about": "Here is the data you requested.",
                  "personal_information": {"user_id": 5512093377, "first_name": "Lão", "phone_number": "+84 912"},
                  "contacts": {"about": "contacts", "list": [{"first_name": "A", "phone_number": "+1 555"}]},
                  "chats": {"about": "This page lists all chats.", "list": [chat]},
                  "left_chats": {"about": "Chats you left.", "list": [channel]}}
    shutil.copytree(EXPORT / "photos", tmp_path / "photos")
    path = tmp_path / "result.json"
    path.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    assert detect_format(path) == "telegram"
    with open_store(str(tmp_path / "w.duckdb")) as st:
        result = ingest_records(st, path, data_dir=tmp_path / "data")
        assert (result.added, result.quarantined, sum(result.skipped.values())) == (6, 0, 2)
        assert st.get(Post, "telegram:2201938475:2").account_id == "telegram:channel2201938475"
        assert st.get(Post, f"telegram:{CHAT}:2").media  # the photo, under the folder of this result.json
        assert st.get(Post, "telegram:2201938475:2").venue == "Sừng tê giác Hà Nội"
        assert st.get(Post, f"telegram:{CHAT}:2").venue == chat["name"]


def test_json_lines_named_json_are_not_taken_for_an_export(tmp_path: Path) -> None:
    lines = tmp_path / "posts.json"
    lines.write_text('{"id": "p1", "platform": "wechat", "text": "x", "messages": []}\n'
                     '{"id": "p2", "platform": "wechat", "text": "y"}\n', encoding="utf-8")
    assert not is_telegram_export(lines) and detect_format(lines) == "jsonl"
    assert is_telegram_export(EXPORT / "result.json")


def test_a_cut_export_yields_the_messages_before_the_cut_then_names_it(tmp_path: Path) -> None:
    text = (EXPORT / "result.json").read_text(encoding="utf-8")
    cut = tmp_path / "result.json"
    cut.write_text(text[: text.index('"id": 4,')], encoding="utf-8")
    records = list(read_telegram(cut))
    assert [r.line for r in records[:-1] if r.data] == [2, 3]
    assert records[-1].data is None and "not JSON after the export's 3rd message" in (records[-1].error or "")
    lines = tmp_path / "posts.jsonl"
    lines.write_text('{"id": "p1", "text": "x"}\n{"id": "p2", "text": "y"}\n', encoding="utf-8")
    (wrong,) = read_telegram(lines)  # --format telegram on JSON Lines
    assert wrong.data is None and (wrong.error or "").startswith("not JSON before any message")


def test_a_big_export_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "big",\n "type": "private_group",\n "id": 5,\n "messages": [\n')
        for i in range(1, 20_001):
            fh.write(("," if i > 1 else "") + json.dumps(_message(i, f"象牙 {i} " + "z" * 2000), indent=1) + "\n")
        fh.write(" ]\n}\n")
    assert path.stat().st_size > 40_000_000
    tracemalloc.start()
    try:
        count = sum(1 for r in read_telegram(path) if r.data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 5_000_000  # a message at a time: json.load would hold the whole 40 MB and more


def test_a_stopped_ingest_resumes_after_its_last_chunk_and_counts_every_service_message(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop(_: int) -> None:
        raise Stop

    with open_store(str(tmp_path / "w.duckdb")) as st:
        with pytest.raises(Stop):  # killed after the first chunk of two posts was committed
            ingest_records(st, EXPORT, data_dir=tmp_path / "data", chunk_size=2, progress=stop)
        assert st.query("SELECT count(*) AS n FROM posts")[0]["n"] == 2
        result = ingest_records(st, EXPORT, data_dir=tmp_path / "data", chunk_size=2)
        assert (result.resumed_at, result.read, result.added, result.duplicates) == (2, 5, 5, 0)
        assert sum(result.skipped.values()) == 2
        assert st.query("SELECT count(*) AS n FROM posts")[0]["n"] == 5


def test_a_post_stored_before_venues_read_again_is_the_same_post_and_its_hash_unchanged(tmp_path: Path) -> None:
    """Posts stored without a venue (before migration 0112) read again from a copy of the export: duplicates,
    not versions; the id and content hash do not depend on venue, forwarding or reply."""
    with open_store(str(tmp_path / "w.duckdb")) as st:
        ingest_records(st, EXPORT, data_dir=tmp_path / "data")
        st.execute("UPDATE posts SET venue = NULL, forwarded_from = NULL, reply_to = NULL")
        again = ingest_records(st, _export(tmp_path), data_dir=tmp_path / "data")
        assert (again.read, again.added, again.versions, again.duplicates) == (5, 0, 0, 5)
        posts = st.find(Post, "platform = ?", ("telegram",))
    assert len(posts) == 5 and all(p.venue is None for p in posts)  # the stored row is never replaced
    seen = [p.model_copy(update={"venue": "another group", "forwarded_from": "X", "reply_to": "telegram:1:1"})
            for p in posts]
    assert [post_hash(p) for p in seen] == [p.content_hash for p in posts]
