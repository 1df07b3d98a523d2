"""``wildtrace screen --follow``: verdicts come out as posts go in, bad lines are named, the stream goes on."""

from __future__ import annotations

import json
import subprocess
import sys

POSTS = [
    {"id": "a", "text": "出售象牙手镯，老料有证，微信 ivory88 私聊"},
    {"id": "b", "text": "Fresh sourdough bread every morning, order by noon"},
]


def _follow(lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wildtrace.cli.main", "screen", "--follow", *extra],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=600)


def test_follow_emits_one_verdict_per_post_and_names_bad_lines() -> None:
    from wildtrace.screen import Screener

    lines = [json.dumps(POSTS[0], ensure_ascii=False), "{broken", json.dumps({"text": "no id"}),
             json.dumps(POSTS[1])]
    done = _follow(lines)
    assert done.returncode == 3, done.stderr  # finished, but not every line went in: as a load with rejects
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["post_id"] for v in verdicts] == ["a", "b"]
    screener = Screener.load()
    assert [v["tier"] for v in verdicts] == [screener.screen_text(p["text"]).tier for p in POSTS]
    assert verdicts[0]["tier"] in ("high", "medium") and verdicts[1]["tier"] in ("none", "low")
    errors = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [e["line"] for e in errors] == [2, 3]
    assert "'id'" in errors[1]["error"]


def test_follow_a_folder_of_renamed_files(tmp_path) -> None:
    part = tmp_path / "batch1.jsonl.part"
    part.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n", encoding="utf-8")
    part.rename(tmp_path / "batch1.jsonl")
    done = _follow([], "--folder", str(tmp_path), "--idle-exit", "1")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["post_id"] for line in done.stdout.splitlines()] == ["a", "b"]
