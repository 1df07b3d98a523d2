from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.report.world import make_world
from wildtrace.model import Alert, Case, Post
from wildtrace.share import Redactor, case_markdown, case_study
from wildtrace.store import Store


@pytest.fixture
def closed_case(store: Store) -> tuple[Store, list[str]]:
    world = make_world(store, seed=2, weeks=2, base=8)
    account = world.accounts[0]
    posts = store.find(Post, "account_id = ?", [account])
    store.put([Alert(id="al1", subject=account, kind="structuring", reasons=[f"payments to {account} split"],
                     created_at=datetime(2026, 3, 20, tzinfo=UTC)),
               Case(id="c1", title="<b>Ivory ring</b>", status="closed", items=[f"post:{p.id}" for p in posts],
                    notes=f"phone 13812340000, account {account}"),
               Case(id="c2", title="open one", status="open")])
    return store, world.sensitive


def test_public_case_study_has_the_story_but_no_identities(closed_case: tuple) -> None:
    store, sensitive = closed_case
    study = case_study(store, "c1", Redactor("public", key=b"k"))
    assert study["timeline"] and study["timeline"][0]["when"] == "day 0"
    assert study["code_words"] and study["typologies"] == ["structuring"]
    assert study["detected_by"]["tier"] in ("high", "medium")
    text = case_markdown(study)
    assert not [s for s in sensitive if s in text + str(study)]
    assert "<b>" not in text and "&lt;b&gt;" in text


def test_only_closed_cases_unless_forced(closed_case: tuple) -> None:
    store, _ = closed_case
    with pytest.raises(ValueError, match="only closed cases"):
        case_study(store, "c2", Redactor("public"))
    assert case_study(store, "c2", Redactor("public"), force=True)["summary"]["posts"] == 0
    with pytest.raises(ValueError, match="not found"):
        case_study(store, "nope", Redactor("public"))


def test_investigator_sees_dates(closed_case: tuple, tmp_path: Path) -> None:
    store, _ = closed_case
    study = case_study(store, "c1", Redactor("investigator"))
    assert study["timeline"][0]["when"].startswith("2026-")
