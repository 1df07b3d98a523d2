from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from wildtrace.model import Decision, MediaItem, Post, Verdict
from wildtrace.screen import ImageReader, Screener, labelled_from_decisions, screen_store
from wildtrace.store import Store


def _image(path: Path, text: str) -> Path:
    img = Image.new("RGB", (720, 120), "white")
    ImageDraw.Draw(img).text((10, 35), text, fill="black", font=ImageFont.load_default(size=30))
    img.save(path)
    return path


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


def _seed(store: Store, tmp_path: Path, text_in_image: str) -> None:
    img = _image(tmp_path / "a.png", text_in_image)
    store.add([MediaItem(sha256="m1", size=img.stat().st_size, path=str(img))])
    store.add([
        Post(id="p1", platform="wechat", account_id="a1", text="象牙手镯 出 微信私聊"),
        Post(id="p2", platform="wechat", account_id="a2", text="出二手手机 九成新"),
        Post(id="p3", platform="wechat", account_id="a1", text="看图", media=["m1"]),
    ])


def test_screen_store_writes_verdicts_once_and_hashes_images(store: Store, tmp_path: Path,
                                                              screener: Screener) -> None:
    _seed(store, tmp_path, "ivory bangle 580 usd")
    result = screen_store(store, screener, ImageReader(tmp_path / "cache", ocr=False))
    assert result["screened"] == 3
    assert store.get(Verdict, "p1").tier in ("high", "medium")
    assert store.get(Verdict, "p2").tier in ("low", "none")
    assert store.get(MediaItem, "m1").phash  # perceptual hash stored for linking
    assert screen_store(store, screener)["screened"] == 0  # already screened


def test_extractor_fills_extracted_and_a_failing_one_does_not_stop_the_batch(store: Store, tmp_path: Path,
                                                                             screener: Screener) -> None:
    _seed(store, tmp_path, "nothing")

    def extractor(text: str, species: list[str], products: list[str]) -> dict:
        if "手镯" not in text:
            raise ValueError("boom")
        return {"species": species, "products": products}

    screen_store(store, screener, extractor=extractor)
    assert store.get(Verdict, "p1").extracted["species"] == ["elephant"]


def test_decisions_become_labels(store: Store) -> None:
    store.add([Post(id="p1", platform="w", text="犀角杯 出"), Post(id="p2", platform="w", text="手机")])
    now = datetime.now(UTC)
    store.add([Decision(id="d1", post_id="p1", decision="dismiss", decided_by="a", decided_at=now),
               Decision(id="d2", post_id="p1", decision="confirm", decided_by="b", decided_at=now.replace(year=2030)),
               Decision(id="d3", post_id="p2", decision="dismiss", decided_by="a", decided_at=now)])
    data = labelled_from_decisions(store)
    assert sorted(zip([d.text for d in data.docs], data.labels, strict=True)) == [("手机", 0), ("犀角杯 出", 1)]


@pytest.mark.slow
def test_text_inside_images_is_read_and_screened(store: Store, tmp_path: Path, screener: Screener) -> None:
    _seed(store, tmp_path, "ivory bangle 580 usd wechat ivory88")
    reader = ImageReader(tmp_path / "cache")
    screen_store(store, screener, reader)
    media = store.get(MediaItem, "m1")
    assert "ivory" in media.ocr_text.lower()
    verdict = store.get(Verdict, "p3")
    ocr_spans = [s for s in verdict.spans if s.source == "ocr"]
    assert ocr_spans and ocr_spans[0].media == "m1"
    assert media.ocr_text[ocr_spans[0].start:ocr_spans[0].end] == ocr_spans[0].text
    assert reader.read(media.path)["text"] == media.ocr_text  # cached by image hash


def test_the_extraction_stage_fills_extracted_fields(store: Store, screener: Screener) -> None:
    from wildtrace.screen import default_extractor

    extractor = default_extractor()
    assert extractor is not None
    store.add([Post(id="p9", platform="w", text="出售象牙手镯 重50克 5000元 微信: ivory_king88 禁令前老货")])
    screen_store(store, screener, extractor=extractor)
    extracted = store.get(Verdict, "p9").extracted
    assert extracted["price"] == 5000.0 and extracted["weight_g"] == 50.0
    assert extracted["legality_claims"]
