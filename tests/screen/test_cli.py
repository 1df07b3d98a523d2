from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wildtrace.cli.main import app
from wildtrace.model import Decision, Post, Verdict
from wildtrace.store import open_store

HELDOUT = Path(__file__).parent / "data" / "heldout.csv"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_eval_json_reports_the_metrics(env: Path) -> None:
    out = json.loads(_run("eval", "--labels", str(HELDOUT), "--text-col", "text", "--label-col", "label", "--json"))
    assert set(out) >= {"precision", "recall", "f1", "mcc", "n"}
    assert out["n"] == len(pd.read_csv(HELDOUT))
    assert out["f1"] > 0.8


def test_labels_in_words_and_bad_rows_are_skipped(env: Path) -> None:
    csv = env / "l.csv"
    pd.DataFrame({"post": ["象牙手镯 出 私聊", "出二手手机", "犀角杯"], "y": ["Yes", "false", "maybe"]}).to_csv(csv)
    out = json.loads(_run("eval", "--labels", str(csv), "--text-col", "post", "--label-col", "y", "--json"))
    assert out["n"] == 2 and out["skipped"] == 1


def test_train_then_eval_with_the_trained_model_and_grouped_cv(env: Path) -> None:
    frame = pd.read_csv(HELDOUT)
    frame["seller"] = [f"s{i % 7}" for i in range(len(frame))]
    labels = env / "labels.csv"
    frame.to_csv(labels, index=False)
    _run("train", "--labels", str(labels), "--text-col", "text", "--label-col", "label", "--out", "m",
         "--no-embeddings")
    assert (env / "m" / "screen_model.joblib").is_file()
    out = json.loads(_run("eval", "--labels", str(labels), "--model", "m", "--json"))
    assert out["recall"] > 0.8
    cv = json.loads(_run("eval", "--labels", str(labels), "--cv", "2", "--group-col", "seller", "--json"))
    assert cv["n"] == len(frame) and cv["folds"] == 2
    assert set(cv["baselines"]) == {"tfidf_lr", "keyword"} and cv["baselines"]["tfidf_lr"]["n"] == len(frame)
    human = _run("eval", "--labels", str(labels), "--cv", "2", "--group-col", "seller", "--optimise", "f1")
    assert "TF-IDF + LR" in human and "keyword" in human and "the TF-IDF + LR baseline on MCC" in human


def test_train_reports_the_chosen_model_and_refuses_a_bad_objective(env: Path) -> None:
    out = json.loads(_run("train", "--labels", str(HELDOUT), "--out", "m", "--no-embeddings", "--optimise",
                          "precision-at-recall 0.9", "--json"))
    assert out["optimise"] == "precision-at-recall 0.9" and out["feature_set"] in ("fast", "tfidf", "fast+tfidf")
    assert out["thresholds"]["low"] <= out["thresholds"]["medium"] <= out["thresholds"]["high"]
    bad = CliRunner().invoke(app, ["train", "--labels", str(HELDOUT), "--out", "m2", "--optimise", "accuracy"])
    assert bad.exit_code != 0 and "--optimise" in str(bad.exception)


def test_lexicon_add_list_retire(env: Path) -> None:
    _run("lexicon", "add", "--term", "白条子", "--meaning", "elephant", "--source", "case 7", "--id", "baitiaozi")
    listed = json.loads(_run("lexicon", "list", "--kind", "code_word", "--json"))
    assert any(t["id"] == "baitiaozi" and t["origin"] == "user" for t in listed["terms"])
    _run("lexicon", "retire", "baitiaozi", "--reason", "wrong")
    listed = json.loads(_run("lexicon", "list", "--json"))
    assert "baitiaozi" in listed["retired"]
    assert (env / "data" / "lexicon.yaml").is_file()


def test_added_code_word_is_matched_by_screen(env: Path) -> None:
    from wildtrace.model import Post, Verdict
    from wildtrace.store import open_store

    with open_store(str(env / "w.duckdb")) as st:
        st.add([Post(id="p1", platform="w", text="新到白条子 一批 30克 克价28 私聊")])
    _run("lexicon", "add", "--term", "白条子", "--meaning", "elephant", "--source", "case 7")
    out = json.loads(_run("screen", "--no-ocr", "--json"))
    assert out["screened"] == 1
    with open_store(str(env / "w.duckdb")) as st:
        v = st.get(Verdict, "p1")
    assert any(s.term.startswith("user_") for s in v.spans) and "elephant" in v.species


def test_suggest_proposes_the_word_that_takes_the_name_s_place(env: Path) -> None:
    from wildtrace.model import Post
    from wildtrace.store import open_store

    openers, goods = ["新到", "现货", "【", "好货", "出", "特价"], ["手镯", "吊坠", "手串", "摆件", "把件", "印章"]
    posts = ([f"{o}白条子{g} {30 + i}克 克价28 私聊 wx_lotus{i}2345"
              for i, (o, g) in enumerate(zip(openers, goods, strict=True))]
             + [f"象牙{g} {20 + i}克 克重{i} 批发价 {i}万 wx jade" for i, g in enumerate(goods)]
             + [f"出二手手机 {i}" for i in range(6)])
    with open_store(str(env / "w.duckdb")) as st:
        st.add([Post(id=f"p{i}", platform="w", text=t) for i, t in enumerate(posts)])
    _run("screen", "--no-ocr")
    out = json.loads(_run("lexicon", "suggest", "--no-embeddings", "--json"))
    assert out and all(s["examples"] for s in out)
    assert out[0]["term"] == "白条子"
    assert not {"克重", "批发价", "wx jade", "jade", "wx_lotus02345", "lotus"} & {s["term"] for s in out}


def _reviewed_store(path: Path) -> None:
    offers = ["Lot 12: carved ivory okimono, estimate £900, link in bio", "mammoth ivory pendant $300 dm me",
              "antique ivory netsuke, price on request", "estate sale: ivory figurines, cash only",
              "Elfenbein Figur, Schätzpreis 500 Euro", "ivory tusk section 1.2 kg, offers"]
    benign = ["ivory lace wedding dress size 10", "faux ivory resin buddha £25", "museum talk on Gothic ivories",
              "customs seized ivory at the airport", "ivory gloss paint 750 ml", "tagua nut beads £7"]
    now = datetime.now(UTC)
    with open_store(str(path)) as st:
        texts = [(t, 1) for t in offers] + [(t, 0) for t in benign]
        st.add([Post(id=f"r{i}", platform="web", account_id=f"acct{i % 4}", text=t) for i, (t, _) in enumerate(texts)])
        st.put([Verdict(post_id=f"r{i}", score=round(0.1 + 0.07 * i, 2), tier="low") for i in range(len(texts))])
        st.add([Decision(id=f"d{i}", post_id=f"r{i}", decision="confirm" if y else "dismiss", decided_by="a",
                         decided_at=now) for i, (_, y) in enumerate(texts[:-2])])


def test_review_sample_then_train_and_eval_with_reviews(env: Path) -> None:
    _reviewed_store(env / "w.duckdb")
    sample = json.loads(_run("review", "sample", "--order", "uncertain", "--around", "0.9", "--json"))
    assert [i["post_id"] for i in sample["items"]] == ["r11", "r10"]  # the two posts without a decision
    with open_store(str(env / "w.duckdb")) as st:  # reviewers' corrections: the okimono is elephant ivory
        st.insert_rows("wb_review_corrections", [  # carved; the second claims a species the text never names
            {"decision_id": d, "post_id": p, "species": json.dumps(sp), "products": "[]", "corrected_by": "a",
             "corrected_at": datetime.now(UTC)}
            for d, p, sp in (("d0", "r0", ["elephant"]), ("d1", "r1", ["pangolin"]))],
            ["decision_id", "post_id", "species", "products", "corrected_by", "corrected_at"], ["decision_id"])
    trained = json.loads(_run("train", "--from-reviews", "--out", "m", "--no-embeddings", "--json"))
    assert trained["review_labels"] == 10 and trained["n"] == 10
    naming = trained["review_corrections"]
    assert naming["corrections"] == 2 and naming["species_missed"] == ["pangolin"] and naming["species_agree"] == 1
    frame = pd.read_csv(HELDOUT)
    frame["seller"] = [f"s{i % 7}" for i in range(len(frame))]
    labels = env / "labels.csv"
    frame.to_csv(labels, index=False)
    out = json.loads(_run("eval", "--labels", str(labels), "--cv", "2", "--group-col", "seller", "--with-reviews",
                          "--json"))
    gain = out["reviews"]
    assert gain["labels"] == 10 and gain["positives"] == 6 and gain["without"]["mcc"] == out["mcc"]
    assert gain["change"]["mcc"] == pytest.approx(gain["with"]["mcc"] - gain["without"]["mcc"], abs=1e-3)
    bad = CliRunner().invoke(app, ["eval", "--labels", str(labels), "--with-reviews"])
    assert bad.exit_code != 0 and "--cv" in str(bad.exception)


def test_a_store_moved_to_another_folder_still_reads_its_pictures(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image, ImageDraw

    from wildtrace.model import MediaItem

    old = tmp_path / "case"
    (old / "in" / "media").mkdir(parents=True)
    img = Image.new("RGB", (160, 90), "white")
    ImageDraw.Draw(img).rectangle((20, 20, 120, 70), fill="brown")
    img.save(old / "in" / "media" / "tusk.png")
    (old / "in" / "posts.jsonl").write_text(json.dumps(
        {"id": "p1", "platform": "wechat", "account_id": "a1", "text": "看图", "media": ["media/tusk.png"]}) + "\n")
    monkeypatch.setenv("WILDTRACE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(old / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(old / "w.duckdb"))
    _run("ingest", str(old / "in" / "posts.jsonl"))
    new = old.rename(tmp_path / "restored")  # the old folder is gone: its absolute paths name nothing
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(new / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(new / "w.duckdb"))
    _run("screen", "--no-ocr")
    with open_store(str(new / "w.duckdb")) as st:
        (picture,) = st.query("SELECT sha256 FROM media")
        assert st.get(MediaItem, picture["sha256"]).phash
