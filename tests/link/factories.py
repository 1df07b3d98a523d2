"""Small hand-made worlds for the linking tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from wildtrace.model import Account, AccountIdentifier, Post, Verdict

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 4, 22, 0, tzinfo=BEIJING)


def account(aid: str, name: str, handle: str | None = None, *, bio: str = "", location: str = "广州",
            status: str = "active", blocked_at: datetime | None = None, first_seen: datetime | None = None) -> Account:
    platform, _, h = aid.partition(":")
    return Account(id=aid, platform=platform, handle=handle or h, display_name=name, bio=bio, location=location,
                   status=status, status_changed_at=blocked_at, first_seen=first_seen)


def ident(aid: str, kind: str, value: str, seen_in: str = "post") -> AccountIdentifier:
    return AccountIdentifier(account_id=aid, kind=kind, value=value, raw=value, seen_in=seen_in,
                             seen_id=f"{aid}/{kind}")


def posts(aid: str, texts: list[str], start: datetime = T0, hours: list[int] | None = None,
          tier: str = "high", species: list[str] | None = None, ppg: float | None = None) -> list:
    """Posts of ``aid`` (one a day from ``start``) with a screening verdict each."""
    out: list = []
    for i, text in enumerate(texts):
        at = start + timedelta(days=i)
        if hours:
            at = at.replace(hour=hours[i % len(hours)])
        pid = f"{aid}/p{i}"
        out.append(Post(id=pid, platform=aid.split(":")[0], account_id=aid, text=text, posted_at=at))
        out.append(Verdict(post_id=pid, score=0.9 if tier == "high" else 0.1, tier=tier, species=species or [],
                           extracted={"price_per_gram": ppg} if ppg else {}))
    return out


def edited_data_file(folder: Path, name: str, edit: Callable[[str], str]) -> Path:
    """A copy of the linking stage's data file ``name`` in ``folder``, its text passed through ``edit``."""
    packaged = (resources.files("wildtrace.link") / "data" / name).read_text(encoding="utf-8")
    path = folder / name
    path.write_text(edit(packaged), encoding="utf-8")
    return path
