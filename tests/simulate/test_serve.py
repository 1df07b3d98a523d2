"""The simulated world served on loopback: each post's page and its pictures, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from wildtrace.simulate import serve_world


def test_every_post_has_a_page_and_its_pictures_are_served(sim_world: Path) -> None:
    posts = [json.loads(line) for line in (sim_world / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    saved = next(p for p in posts if (sim_world / "html" / f"{p['id']}.html").exists())
    made = next(p for p in posts if not (sim_world / "html" / f"{p['id']}.html").exists() and p["media"])
    with serve_world(sim_world) as site, httpx.Client() as client:
        assert set(site.offsets) == {p["id"] for p in posts}
        page = client.get(site.url(saved["id"]))
        assert page.status_code == 200 and page.content == (sim_world / "html" / f"{saved['id']}.html").read_bytes()
        other = client.get(site.url(made["id"]))
        assert other.status_code == 200 and f'href="{made["url"]}"' in other.text
        assert made["text"].split("\n")[0][:10] in other.text.replace("&amp;", "&")
        picture = client.get(f"{site.base}/{made['media'][0]}")
        assert picture.content == (sim_world / made["media"][0]).read_bytes()
        assert picture.headers["content-type"] == "image/png"
        for path in ("/p/post-99999999", "/media/../posts.jsonl", "/media/%2e%2e%2fposts.jsonl", "/posts.jsonl",
                     "/media/x.png"):
            assert client.get(site.base + path).status_code == 404, path
