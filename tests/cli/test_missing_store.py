"""Every command that takes ``--db``, pointed at a store that does not exist: a command that only reads or
works on a store says so in one line and exits non-zero without making one; only the commands that bring data
in make it. The commands are found by walking the CLI, so a new one fails here until it is placed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer.main

from wildtrace.cli.main import app, main

URL = "https://market.example/p/1"
# command -> arguments besides --db; each must refuse a missing store
REFUSE: dict[str, list[str]] = {
    "screen": [], "train": ["--from-reviews"], "extract": [], "serve": [], "doctor": [], "migrate": [],
    "report": ["--from", "2026-01-01", "--to", "2026-02-01", "--out", "r.html"],
    "export": ["--format", "stix", "--audience", "partner", "--out", "e"], "case-study": ["case-1"],
    "backup": ["--out", "bk"],
    "evidence verify": [], "evidence anchor": [], "evidence export": ["--out", "b", "--post", "p1"],
    "evidence history": [URL],
    "case create": ["a title"], "case add": ["case-1", "post:p1"], "case list": [],
    "case close": ["case-1", "--reason", "done"],
    "watch remove": [URL], "watch list": [], "watch run": ["--once"],
    "review sample": [], "lexicon suggest": [], "eval link": ["--truth", "truth.json"],
    "link run": [], "link traders": [], "link profile": ["t-1"], "link why": ["a", "b"], "link hubs": [],
    "link network": [], "link top": [],
    "money run": [], "money hits": [], "money risk": [], "money alerts": [], "money alert": ["al-1"],
    "money sar": ["wallet:x", "--out", "s.xml"], "money eval-typologies": ["--truth", "truth.json"],
    "money watchlist load": ["list.jsonl", "--list", "sanctions"], "money watchlist screen": ["--name", "Wang"],
    "users list": [], "users disable": ["bob"], "users token": ["bob"], "users tokens": ["bob"],
    "users revoke": ["bob", "--all"],
}
# commands that bring data in, and so make the store they are pointed at
CREATE = {"ingest", "import", "evidence add", "watch add", "money load", "users add", "restore"}
# commands whose --db is optional: a file is worked on its own, with the store's data only if there is one
OPTIONAL = {"evidence keygen", "money eval", "money train", "eval money"}


def _commands_with_db() -> set[str]:
    found: set[str] = set()

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])
        if not hasattr(command, "commands") and any("--db" in getattr(p, "opts", ()) for p in command.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_with_a_store_is_placed() -> None:
    assert _commands_with_db() == set(REFUSE) | CREATE | OPTIONAL


@pytest.mark.parametrize("command", sorted(REFUSE))
def test_a_command_on_a_missing_store_says_so_in_one_line(command: str, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WILDTRACE_DB", "WILDTRACE_CONFIG", "WILDTRACE_BACKUP_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "truth.json").write_text("{}")
    (tmp_path / "list.jsonl").write_text("")
    db = tmp_path / "nowhere" / "w.duckdb"
    monkeypatch.setattr(sys, "argv", ["wildtrace", *command.split(), *REFUSE[command], "--db", str(db)])
    monkeypatch.setattr(sys, "stdin", None)  # a prompt would fail, not wait
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    assert done.value.code not in (0, None), out + err
    assert not db.exists() and not db.parent.exists(), "the command made a store"
    assert "Traceback" not in err
    if command == "doctor":  # a report of every check: the store's line says what is wrong
        assert f"FIX  store        no store at {db}" in out
        return
    assert len(err.strip().splitlines()) == 1 and f"no store at {db}" in err, out + err
