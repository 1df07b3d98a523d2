"""Screening on Spark gives the same verdict rows as the embedded run over the same 10k posts, pictures
included; the pictures' OCR text is screened with the post."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest


def _picture(path: Path, text: str) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (640, 110), "white")
    ImageDraw.Draw(img).text((10, 30), text, fill="black", font=ImageFont.load_default(size=28))
    img.save(path)


def test_pictures_are_read_and_screened_with_the_post(tmp_path: Path) -> None:
    from wildtrace.scale import screen_parquet_local

    _picture(tmp_path / "offer.png", "ivory bangle 500 usd wechat ivory88")
    pd.DataFrame({"id": ["p1", "p2", "p3"], "text": ["", "", "今天天气真好"],
                  "images": ["offer.png", "gone.png", None]}).to_parquet(tmp_path / "posts.parquet", index=False)
    n = screen_parquet_local(tmp_path / "posts.parquet", tmp_path / "v.parquet", image_root=tmp_path,
                             ocr_cache=tmp_path / "ocr")
    verdicts = pd.read_parquet(tmp_path / "v.parquet").set_index("post_id")
    assert n == 3 and verdicts.loc["p1", "tier"] in ("high", "medium")
    assert any(span["source"] == "ocr" for span in json.loads(verdicts.loc["p1", "spans"]))
    assert verdicts.loc["p2", "tier"] == "none"  # a missing picture: the post is still screened
    screen_parquet_local(tmp_path / "posts.parquet", tmp_path / "text-only.parquet")
    assert pd.read_parquet(tmp_path / "text-only.parquet").set_index("post_id").loc["p1", "tier"] == "none"


def _ten_thousand_posts(world: Path, out: Path) -> Path:
    """10k posts from the simulated world's texts, each made unique by a serial number; four carry a picture."""
    texts = [json.loads(line)["text"] for line in (world / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    _picture(out / "offer.png", "ivory bangle 500 usd wechat ivory88")
    posts = pd.DataFrame({"id": [f"p{i:05d}" for i in range(10_000)],
                          "text": [f"{texts[i % len(texts)]} #{i}" for i in range(10_000)],
                          "images": ["offer.png" if i % 2500 == 0 else None for i in range(10_000)]})
    path = out / "posts.parquet"
    posts.to_parquet(path, index=False)
    return path


@pytest.mark.spark
def test_spark_screening_equals_the_embedded_run(sim_world: Path, tmp_path: Path) -> None:
    from wildtrace.scale import screen_parquet_local, screen_parquet_spark, spark_session

    posts = _ten_thousand_posts(sim_world, tmp_path)
    pictures = {"image_root": tmp_path, "ocr_cache": tmp_path / "ocr"}
    assert screen_parquet_local(posts, tmp_path / "local.parquet", **pictures) == 10_000
    spark = spark_session("local[2]")
    try:
        assert screen_parquet_spark(spark, posts, tmp_path / "spark", **pictures) == 10_000
    finally:
        spark.stop()
    local = pd.read_parquet(tmp_path / "local.parquet").sort_values("post_id").reset_index(drop=True)
    on_spark = pd.read_parquet(tmp_path / "spark").sort_values("post_id").reset_index(drop=True)
    assert local["tier"].ne("none").sum() > 1_000  # the input has trade in it: the comparison means something
    assert local["spans"].str.contains('"source": "ocr"').sum() == 4  # and the pictures were read
    pd.testing.assert_frame_equal(local, on_spark, check_exact=True)
