"""The report as a page: HTML from a Jinja2 template (autoescaped: post text is data), PDF with WeasyPrint."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from wildtrace.report._brand import Brand, load_brand

_ENV = Environment(loader=PackageLoader("wildtrace.report", "templates"), autoescape=True, undefined=StrictUndefined)


def render_html(report: dict[str, Any], brand: Brand | None = None) -> str:
    """One self-contained HTML page (charts and logo inlined) in ``brand``'s look and heading language."""
    from wildtrace.report._charts import all_charts  # matplotlib: only HTML and PDF need it

    brand = brand or load_brand()
    charts = {name: base64.b64encode(png).decode("ascii") for name, png in all_charts(report, brand.colours).items()}
    charts.setdefault("prices", "")
    charts.setdefault("code_words", "")
    return _ENV.get_template("report.html.j2").render(r=report, charts=charts, b=brand)


def render_pdf(report: dict[str, Any], out: str | Path, brand: Brand | None = None) -> Path:
    """The report as a PDF (A4, CJK font from fonts-wqy-microhei)."""
    from weasyprint import HTML

    path = Path(out)
    HTML(string=render_html(report, brand)).write_pdf(path)
    return path


def queries_file(report: dict[str, Any]) -> str:
    """The SQL of every query the report's figures and sentences name, as one file (kept out of the report)."""
    period = report["period"]
    head = (f"-- Queries behind the report {report['title']!r}, {period['from']} to {period['to']}.\n"
            "-- Parameters: [from, to) are the UTC instants of the period's first day and the day after its last, "
            f"in {period['zone']}.\n")
    sentences = "".join(f"--   [{x['id']}] {x['source']['function']}: {', '.join(x['source']['queries'])}"
                        + (f" (and {x['source']['library']})" if x["source"].get("library") else "") + "\n"
                        for x in report.get("summary", []))
    return (head + ("-- The summary's sentences and the queries behind them:\n" + sentences if sentences else "")
            + "".join(f"\n-- {name}\n{sql};\n" for name, sql in report["queries"].items()))


def queries_path(out: str | Path) -> Path:
    """Where the queries of the report written to ``out`` go: ``<out without suffix>.queries.sql``."""
    path = Path(out)
    return path.with_name(path.stem + ".queries.sql")


def write_report(report: dict[str, Any], out: str | Path, fmt: str, brand: Brand | None = None) -> Path:
    """Write ``report`` to ``out`` as ``html``, ``pdf`` or ``json``, and its queries beside it."""
    import json

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    queries_path(path).write_text(queries_file(report), encoding="utf-8")
    if fmt == "pdf":
        return render_pdf(report, path, brand)
    if fmt == "html":
        path.write_text(render_html(report, brand), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    else:
        raise ValueError(f"--format {fmt!r}: expected html, pdf or json")
    return path
