from __future__ import annotations

from pathlib import Path

from tests.report.world import make_world
from wildtrace.report import ReportOptions, build_report
from wildtrace.share import ExportOptions, export, import_file, read_stix
from wildtrace.store import Store


def test_report_export_and_import_on_every_store_backend(backend_store: Store, tmp_path: Path) -> None:
    world = make_world(backend_store, seed=4, weeks=3, base=8)
    report = build_report(backend_store, ReportOptions(world.start, world.end))
    assert report["sections"]["volume"]["flagged"] == world.flagged
    assert report["sections"]["traders"]["available"]
    out = export(backend_store, "stix", tmp_path / "e.stix", ExportOptions(audience="investigator"))
    assert read_stix((tmp_path / "e.stix").read_text(encoding="utf-8")).objects and out["entities"] > 0
    again = import_file(backend_store, tmp_path / "e.stix")
    assert again.new.get("accounts", 0) == 0 and again.kept > 0
