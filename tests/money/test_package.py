"""``wildtrace.money`` imports its stage on first use, built-in typologies included."""

from __future__ import annotations

import subprocess
import sys


def test_first_use_registers_the_builtin_typologies_and_import_alone_stays_light() -> None:
    probe = ("import sys, wildtrace.money as m\nprint('pandas' in sys.modules, m.ALERT_THRESHOLD)\n"
             "from wildtrace.money import TYPOLOGIES, KINDS\nfrom wildtrace.money._constants import KIND_NAMES\n"
             "print(len(TYPOLOGIES) > 0, tuple(KINDS) == KIND_NAMES)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.split() == ["False", "0.6", "True", "True"]
