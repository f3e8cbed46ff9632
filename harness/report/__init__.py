"""The Test Phase Completion Report: the phase assessment (harness.criteria) as report.html, report.pdf and
summary.json, for the DCC test assurance board."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from harness.report.document import ReportDocument, deliverables, identification, read_lessons
from harness.report.html import render_html, report_view
from harness.report.printer import Printer

__all__ = ["Printer", "ReportDocument", "read_lessons", "render_html", "write_pdf", "write_report"]


def write_report(assessment: Mapping, out_dir: Path, pdf: bool = True,
                 document: ReportDocument | None = None, printer: Printer | None = None) -> dict[str, Path]:
    """Writes report.html, summary.json and (unless pdf is False) report.pdf into out_dir; returns their paths
    by kind: "html", "summary", "pdf". The document's identification and the deliverables are added to what
    summary.json holds, as the report shows them. The PDF is the printed copy the board signs: the sections it
    decides on, with the SHA-256 of report.html and summary.json, which hold the rest; printed by printer, when
    given (one made ready while the phase was read), else here."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assessment = {**assessment, "document": {**identification(assessment, document),
                                             "deliverables": deliverables(assessment, out_dir, pdf)}}
    view = report_view(assessment, out_dir)
    paths = {"html": out_dir / "report.html", "summary": out_dir / "summary.json"}
    written = {"html": render_html(assessment, out_dir, view=view).encode(),
               "summary": (json.dumps(assessment, indent=2) + "\n").encode()}
    for kind, content in written.items():
        paths[kind].write_bytes(content)
    if pdf:
        paths["pdf"] = out_dir / "report.pdf"
        # The PDF cites the page and the assessment by digest, as the deliverables name them (resolved paths).
        cited = {str(paths[kind].resolve()): hashlib.sha256(content).hexdigest() for kind, content in written.items()}
        (printer.print_pdf if printer is not None else write_pdf)(
            render_html(assessment, out_dir, view=view, printed=cited), paths["pdf"])
    return paths


def write_pdf(html: str, path: Path) -> int:
    """Lays the report out on A4 pages and writes it as a PDF; returns the number of pages."""
    # Imported here: WeasyPrint takes a while to load (Pango, fonts) and only the PDF needs it.
    import weasyprint

    # The cyclic collector paused while WeasyPrint lays out and writes: its many short-lived boxes set off full
    # collections that walk the whole phase read before them (20,000 executions: 1.02 -> 0.87 s of PDF, warm).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # pdf_tags: a tagged PDF (headings, tables, lists as structure), which screen readers and reflow need.
        document = weasyprint.HTML(string=html, base_url=str(path.parent)).render()
        document.write_pdf(path, pdf_tags=True)
    finally:
        if collecting:
            gc.enable()
    return len(document.pages)
