"""``doctor`` names each font package pages and charts need that fontconfig does not list."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from wildtrace.ops import _doctor


@pytest.mark.parametrize(("families", "missing"), [
    ("WenQuanYi Micro Hei\nNoto Color Emoji\nSymbola\n", None),
    ("WenQuanYi Micro Hei\nNoto Color Emoji\n", "fonts-symbola"),
    ("DejaVu Sans\n", "fonts-wqy-microhei fonts-noto-color-emoji fonts-symbola"),
])
def test_the_fonts_check_names_what_to_install(monkeypatch: pytest.MonkeyPatch, families: str,
                                               missing: str | None) -> None:
    def fc_list(*_: Any, **__: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(["fc-list"], 0, stdout=families, stderr="")

    monkeypatch.setattr(_doctor.shutil, "which", lambda _: "/usr/bin/fc-list")
    monkeypatch.setattr(_doctor.subprocess, "run", fc_list)
    check = _doctor._fonts()
    assert check.ok is (missing is None) and (check.ok or not check.needed)  # missing fonts do not fail doctor
    assert missing is None or check.detail.endswith(f"install {missing}")
