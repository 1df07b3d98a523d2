"""Review that teaches: a reviewer's species/product correction changes what retraining learns to name.

End to end: posts in the store, decisions and corrections through the service (as the review page makes them),
``wildtrace train --from-reviews``, then the retrained model screens posts it has never seen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wildtrace.cli.main import app
from wildtrace.model import Post
from wildtrace.screen import Screener
from wildtrace.service import Correction, decide, explanation
from wildtrace.store import open_store

CODED = ["蓝莓片 500克 克价30 私聊 vx lanmei{i}", "出 蓝莓片 {i}两 微信联系 不议价", "好货 蓝莓片 整片 {i}00克 顺丰",
         "Xả hàng 蓝莓片 {i}00g giá tốt liên hệ zalo", "蓝莓片 现货 {i}斤 批发 加v"]
PANGOLIN = ["穿山甲片 {i}00克 克价30 私聊", "出 穿山甲鳞片 {i}两 微信"]
IVORY = ["象牙手镯 {i}0克 私聊 vx", "出 象牙吊坠 {i}克 微信联系"]
BENIGN = ["新鲜蓝莓 一斤 {i}元 顺丰包邮", "蓝莓干 {i}袋 零食", "二手手机 {i}00元", "蓝莓酱 {i}瓶 自制",
          "旧书 {i}本 便宜出"]
UNSEEN = {"coded": "刚到 蓝莓片 大片 8两 私聊 vx ok99", "berries": "新鲜蓝莓 三斤 45元 顺丰包邮",
          "ivory": "象牙手串 12克 私聊 vx"}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "w.duckdb"


def _reviewed(path: Path, correct: bool) -> None:
    """Reviewers confirm the trade posts and dismiss the rest; with ``correct``, they say the code word 蓝莓片
    ("blueberry slices", a word the lexicon does not know) offers pangolin scales."""
    with open_store(str(path)) as st:
        posts = [(f"{kind}{i}", text.format(i=i + 1)) for kind, texts in
                 (("c", CODED), ("p", PANGOLIN), ("i", IVORY), ("b", BENIGN)) for i, text in enumerate(texts * 2)]
        st.add([Post(id=pid, platform="wechat", account_id=f"a{n % 6}", text=text)
                for n, (pid, text) in enumerate(posts)])
        for pid, _ in posts:
            fix = Correction(("pangolin",), ("scales",)) if correct and pid.startswith("c") else None
            decide(st, pid, "dismiss" if pid.startswith("b") else "confirm", "reviewer", correction=fix)


def _train(db: Path, out: str) -> dict:
    result = CliRunner().invoke(app, ["train", "--from-reviews", "--db", str(db), "--out", str(db.parent / out),
                                      "--no-embeddings", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _names(model: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    screener = Screener.load(str(model))
    return {k: (r.species, r.products, r.tier) for k, r in zip(UNSEEN, screener.screen_texts(UNSEEN.values()),
                                                                 strict=True)}


def test_a_correction_teaches_retraining_to_name_a_new_code_word(db: Path) -> None:
    _reviewed(db, correct=True)
    trained = _train(db, "taught")
    naming = trained["review_corrections"]
    assert naming["corrections"] == 10 and naming["species_agree"] == 0  # the lexicon names nothing on them
    assert naming["learned"] == ["product:scales", "species:pangolin"]
    assert naming["species_agree_after"] == 10 and naming["products_agree_after"] == 10
    taught = _names(db.parent / "taught")
    verdict = Screener.load(str(db.parent / "taught")).screen_post(Post(id="x", platform="wechat",
                                                                          text=UNSEEN["coded"]))
    learned = [name for name, _ in verdict.features if name.startswith("learned:")]
    assert learned == ["learned:product:scales", "learned:species:pangolin"]
    words = explanation([s.model_dump() for s in verdict.spans], verdict.features)
    assert "names species pangolin as reviewers' corrections taught the model" in words
    assert taught["coded"][:2] == (("pangolin",), ("scales",)) and taught["coded"][2] != "none"
    assert "pangolin" not in taught["berries"][0] and "scales" not in taught["berries"][1]
    assert taught["ivory"][0] == ("elephant",) and "scales" not in taught["ivory"][1]  # other species untouched


def test_without_the_correction_retraining_learns_no_name(db: Path) -> None:
    _reviewed(db, correct=False)
    trained = _train(db, "plain")
    assert trained["review_corrections"] is None
    assert _names(db.parent / "plain")["coded"][:2] == ((), ())  # the same decisions, no correction: nothing named
