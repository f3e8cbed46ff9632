"""The report's printer: WeasyPrint made ready in a process of its own while the phase is read and judged.

Loading WeasyPrint (Pango, fontconfig, its stylesheet for HTML) and laying out a first page take about half a
second that the first PDF of a `dit report` paid after everything else; on a machine with a second core the printer
pays it at the same time as the ledger is read. The page is handed over through the printer's standard input and
the PDF written by it where it is told; what it answers is one line of JSON: the pages, or the error that stopped it
(an OSError comes back as one, errno and file kept, so a full disk reads the same as when printed in-process).

The printer process (main) reads a JSON line {"path": ..., "size": N}, then N bytes of HTML.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from harness.errors import DitError


class Printer:
    """A printer process, started at once; print_pdf() hands it a page; close() ends it (also unused)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", "from harness.report.printer import main; main()"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE)

    def print_pdf(self, html: str, path: Path) -> int:
        """The page laid out on A4 and written as a PDF at path; its number of pages."""
        process, self._process = self._process, None
        if process is None:
            raise RuntimeError("this printer has printed its page or been closed: it prints one page")
        page = html.encode()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"path": str(path), "size": len(page)}).encode() + b"\n" + page)
            process.stdin.close()
        except BrokenPipeError:
            pass                                # it stopped before reading: what it said, or its exit, says why
        answer = process.stdout.readline()
        process.wait()
        if not answer:
            raise DitError(f"the report's printer ended without an answer (exit {process.returncode})", where=str(path),
                           fix="its messages are above; --no-pdf writes the report without the PDF")
        return _pages(json.loads(answer), path)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pages(answer: dict[str, Any], path: Path) -> int:
    if "pages" in answer:
        return int(answer["pages"])
    if answer.get("errno") is not None:
        raise OSError(answer["errno"], answer["error"], answer.get("filename"))
    raise DitError(f"WeasyPrint could not lay out the report: {answer['error']}", where=str(path),
                   fix="--no-pdf writes the report without the PDF")


def serve(source: IO[bytes], answer: IO[bytes]) -> None:
    """The printer's side: ready WeasyPrint, then print the one page it is given."""
    from harness.report import write_pdf

    try:
        warm_up()
        problem = None
    except Exception as exc:        # told when the page comes, as the page's own failure would be
        problem = exc
    header = source.readline()
    if not header:              # closed unused: the report stopped before its PDF
        return
    job = json.loads(header)
    html = source.read(job["size"]).decode()
    try:
        if problem is not None:
            raise problem
        reply: dict[str, Any] = {"pages": write_pdf(html, Path(job["path"]))}
    except OSError as exc:
        reply = {"error": exc.strerror or str(exc), "errno": exc.errno, "filename": exc.filename}
    except Exception as exc:        # anything else WeasyPrint raises, named for the parent to report
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    answer.write(json.dumps(reply).encode() + b"\n")
    answer.flush()


def warm_up() -> None:
    """WeasyPrint loaded and a first page laid out (fonts found, its stylesheet for HTML read): what a process's
    first PDF pays for beside its own pages."""
    import weasyprint

    weasyprint.HTML(string="<html><body><h1>DIT</h1><p>ready</p><table><tr><td>1</td></tr></table></body></html>"
                    ).render()


def main() -> None:
    """The printer process: its answer on a copy of stdout; stdout itself goes where stderr does, so nothing
    printed on the way mixes in. Once it has answered it ends at once: the PDF is written and closed, and tearing
    down WeasyPrint's layout would keep the report waiting another 0.1 s for nothing."""
    reply_to = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, reply_to)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
