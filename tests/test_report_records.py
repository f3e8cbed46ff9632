"""What the criteria decided is what the report shows, and what a run recorded comes back as it was: the report's
ID and deliverables, page one's criteria not met, the defect mask, the exit criteria's badges, the heatmap's bands,
`dit report`'s exit code, the digests the printed copy cites, records through JSON, and the executions a run kept
in its report directory when the ledger could not take them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from test_report_render import phase_assessment

from harness.cli import main
from harness.ledger import ExecutionRecord, Ledger, journal
from harness.ledger.records import BlockedReason, Blocker, Part, Participant
from harness.report import charts, render_html, write_report
from harness.report.document import deliverables, report_id


@pytest.fixture(scope="module")
def assessment() -> dict:
    """The render tests' phase, its tests cut to a few: the sections judged here do not list tests."""
    phase = phase_assessment()
    return {**phase, "tests": phase["tests"][:40]}


@pytest.fixture(scope="module")
def html(assessment) -> str:
    return render_html(assessment)


def _rows(html: str, table_id: str) -> dict[str, str]:
    """A table's body rows by the text of their first cell."""
    start = html.index(f'id="{table_id}"')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    rows = re.findall(r"<tr\b.*?</tr>", body, flags=re.S)
    return {re.sub(r"<[^>]+>", "", re.search(r"<t[hd]\b.*?</t[hd]>", r, flags=re.S).group(0)).strip(): r
            for r in rows}


def test_the_report_id_names_the_first_and_last_run_and_the_day_judged(assessment):
    assert report_id(assessment) == "DIT-R2.0-TCR-R1-3-20261121"
    one_run = {**assessment["phase"], "runs": assessment["phase"]["runs"][:1]}
    assert report_id({**assessment, "phase": one_run}) == "DIT-R2.0-TCR-R1-20261121"
    # the same ledger judged a day later is another report
    later = {**assessment["phase"], "as_of": "2026-11-22"}
    assert report_id({**assessment, "phase": later}) == "DIT-R2.0-TCR-R1-3-20261122"


def test_deliverables_name_no_pdf_that_was_not_written_and_mark_what_is_gone(assessment, tmp_path):
    phase = {**assessment["phase"], "ledger": str(tmp_path / "gone.db")}
    found = {d["what"]: d for d in deliverables({**assessment, "phase": phase}, tmp_path, pdf=False)}
    assert "Completion report (PDF)" not in found and "Completion report (HTML)" in found
    assert found["Phase ledger (SQLite)"]["exists"] is False
    (tmp_path / "gone.db").write_bytes(b"")
    found = {d["what"]: d for d in deliverables({**assessment, "phase": phase}, tmp_path, pdf=True)}
    assert "Completion report (PDF)" in found and found["Phase ledger (SQLite)"]["exists"] is True


def test_page_one_names_every_entry_and_exit_criterion_not_met_or_not_evaluable(html, assessment):
    named = set(_rows(html, "unmet-criteria"))
    expected = {c["id"] for c in [*assessment["entry_criteria"], *assessment["exit_criteria"]] if c["status"] != "met"}
    assert "DIT.EN.6" in expected and "DIT.EX.11" in expected        # not evaluable, the entry one among them
    assert named == expected


def test_the_exit_criteria_table_badges_each_criterion_with_its_own_status(html, assessment):
    rows = _rows(html, "exit-criteria")
    for criterion in assessment["exit_criteria"]:
        assert f'status-{criterion["status"]}"' in rows[criterion["id"]], criterion["id"]


def test_the_defect_mask_reads_outside_when_one_severity_is_over(html):
    section = html[html.index('<section id="defect-mask">'):]
    assert "<strong>outside the mask</strong>" in section[:section.index("</p>")]
    rows = _rows(html, "mask")
    # CSP N: one severity 2 issue open, none allowed; its severity 3-5 cells are within
    assert re.search(r'<td class="num over">1 / 0', rows["CSP N"]) and "within" in rows["CSP N"]
    assert rows["CSP N"].rstrip().endswith("<td>no</td></tr>") and rows["DSP"].rstrip().endswith("<td>yes</td></tr>")


def test_the_defect_mask_reads_within_when_every_severity_is(assessment):
    providers = {p: {s: {**level, "open": 0, "within": True} for s, level in levels.items()}
                 for p, levels in assessment["defect_mask"]["providers"].items()}
    page = render_html({**assessment, "defect_mask": {**assessment["defect_mask"], "providers": providers,
                                                      "within": True}})
    assert "<strong>within the mask</strong>" in page and 'class="num over"' not in page


@pytest.mark.parametrize("passed, executed, band", [(100, 100, "full"), (99, 100, "partial"), (80, 100, "partial"),
                                                    (79, 100, "low"), (0, 0, "unexecuted")])
def test_a_heatmap_cell_is_green_only_at_100_percent(passed, executed, band):
    cell = {"ch_variant": "CHTS v1.1 Single Band", "device": "ESME-1", "executed": executed, "passed": passed,
            "failed": executed - passed, "blocked": 0 if executed else 3,
            "pass_rate": passed / executed if executed else None}
    svg = charts.heatmap(["CHTS v1.1 Single Band"], [{"device": "ESME-1", "device_type": "ESME"}], [cell])
    assert f'<g class="cell {band}">' in svg


def test_dit_report_exits_1_while_dit_cannot_exit(tmp_path, capsys):
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    with Ledger(ledger) as book:
        book.finish_run(book.start_run("emulated", "", []))
    assert main(["report", "--ledger", ledger, "--out", str(tmp_path / "out"), "--no-pdf"]) == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["verdict"]["can_exit"] is False
    assert "exit criteria:" in capsys.readouterr().out


class _Printer:
    """Keeps the page it is given to print, as the printer process would lay it out."""

    def __init__(self) -> None:
        self.page = ""

    def print_pdf(self, html: str, path: Path) -> int:
        self.page = html
        path.write_bytes(b"%PDF")
        return 1


def test_the_printed_copy_cites_the_page_and_the_assessment_as_written(assessment, tmp_path):
    printer = _Printer()
    paths = write_report(assessment, tmp_path, printer=printer)  # type: ignore[arg-type]
    for kind in ("html", "summary"):
        assert hashlib.sha256(paths[kind].read_bytes()).hexdigest() in printer.page, kind


def test_an_execution_comes_back_from_json_as_it_was_recorded():
    execution = ExecutionRecord(7, "tests/x.py::y[B6 SB11-core]", "ppmid/top-up", "passed", "2026-12-01T10:00:00",
                                participants=[Participant("ESME-1", "ESME", (Part.ANSWERED, Part.ALERTED)),
                                              Participant("PPMID-1", "PPMID", (Part.JOINED,))], alerts=["0x8F1C"])
    blocked = execution.blocked_by(BlockedReason(Blocker.NOT_ON_THIS_BENCH, "an engineer reads the IHD"))
    for record in (execution, blocked):
        assert ExecutionRecord.from_json(json.loads(json.dumps(record.as_json()))) == record
    assert blocked.error == "not on this bench: an engineer reads the IHD"


def _kept(folder: Path, where: str, run: int, node: str) -> None:
    journal.keep_execution(folder, where, ExecutionRecord(run, node, f"install_commission/{node}", "passed",
                                                          "2026-12-01T10:00:00"))


def test_executions_kept_after_a_torn_line_are_recorded(tmp_path):
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        _kept(tmp_path, book.where, run, "a")
        with (tmp_path / journal.FILE).open("a", encoding="utf-8") as torn:     # a crash mid-write
            torn.write('{"ledger": "' + book.where[:5])
        _kept(tmp_path, book.where, run, "b")
        _kept(tmp_path, book.where, run, "c")
        assert journal.replay(book, tmp_path) == 3
        assert sorted(e.node for e in book.executions()) == ["a", "b", "c"]


def test_an_execution_the_ledger_took_is_not_recorded_again(tmp_path):
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        _kept(tmp_path, book.where, run, "a")
        book.record_execution(ExecutionRecord(run, "a", "install_commission/a", "passed", "2026-12-01T10:00:00"))
        assert journal.replay(book, tmp_path) == 0
        assert [e.node for e in book.executions()] == ["a"]


def test_a_kept_interruption_leaves_a_run_the_ledger_saw_end(tmp_path):
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        journal.keep_interruption(tmp_path, book.where, run, "terminated (SIGTERM)")
        book.finish_run(run)                    # the ledger came back before the run ended
        journal.replay(book, tmp_path)
        assert [(r.status, r.reason) for r in book.runs()] == [("completed", None)]


def test_a_ledger_named_by_another_path_to_its_file_gets_what_was_kept_for_it(tmp_path):
    (tmp_path / "lab").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "lab")
    with Ledger(f"sqlite:///{tmp_path / 'lab' / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        _kept(tmp_path, str(tmp_path / "via" / "phase.db"), run, "a")
        assert journal.replay(book, tmp_path) == 1
        assert not (tmp_path / journal.FILE).exists()
