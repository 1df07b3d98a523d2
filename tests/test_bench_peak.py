"""The benchmark runner reports each child's own peak memory, not the runner's (Linux keeps ru_maxrss across
fork and exec, so every child used to report at least the parent's peak)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import json, resource, sys; sys.path.insert(0, 'bench'); import run; "
         "print(json.dumps([run._peak_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))")


def test_a_child_started_by_a_big_parent_reports_its_own_peak() -> None:
    ballast = bytearray(400 * 2**20)  # the parent holds 400 MiB, touched
    ballast[:: 4096] = b"x" * len(ballast[:: 4096])
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, check=True, capture_output=True, text=True)
    own, inherited = json.loads(out.stdout)
    assert inherited >= 400  # what ru_maxrss says: the parent's peak
    assert own < 300  # the child itself: the interpreter and the runner's imports
    del ballast
