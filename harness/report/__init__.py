"""The Test Phase Completion Report: the phase assessment (harness.criteria) as report.html, report.pdf and
summary.json, for the DCC test assurance board."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from harness.report.document import ReportDocument, deliverables, identification, read_lessons
from harness.report.html import render_html

__all__ = ["ReportDocument", "read_lessons", "render_html", "write_pdf", "write_report"]


def write_report(assessment: Mapping, out_dir: Path, pdf: bool = True,
                 document: ReportDocument | None = None) -> dict[str, Path]:
    """Writes report.html, summary.json and (unless pdf is False) report.pdf into out_dir; returns their paths
    by kind: "html", "summary", "pdf". The document's identification and the deliverables are added to what
    summary.json holds, as the report shows them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assessment = {**assessment, "document": {**identification(assessment, document),
                                             "deliverables": deliverables(assessment, out_dir, pdf)}}
    html = render_html(assessment, out_dir)
    paths = {"html": out_dir / "report.html", "summary": out_dir / "summary.json"}
    paths["html"].write_text(html, encoding="utf-8")
    paths["summary"].write_text(json.dumps(assessment, indent=2) + "\n", encoding="utf-8")
    if pdf:
        paths["pdf"] = out_dir / "report.pdf"
        write_pdf(html, paths["pdf"])
    return paths


def write_pdf(html: str, path: Path) -> int:
    """Lays the report out on A4 pages and writes it as a PDF; returns the number of pages."""
    # Imported here: WeasyPrint takes a while to load (Pango, fonts) and only the PDF needs it.
    import weasyprint

    # pdf_tags: a tagged PDF (headings, tables, lists as structure), which screen readers and reflow need.
    document = weasyprint.HTML(string=html, base_url=str(path.parent)).render()
    document.write_pdf(path, pdf_tags=True)
    return len(document.pages)
