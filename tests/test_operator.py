"""An operator in the loop (harness.lab.operator): prompts for what a real bench cannot do by itself, answered at
a terminal or on the run's web page, blocking the scenario when nobody answers; the answers are evidence."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from harness.errors import DitError, NotOnThisBench
from harness.lab import bench as lab_bench
from harness.lab import yamlfile
from harness.lab.operator import Ask, Desk, OperatorSetting, TerminalDesk, WebDesk, evidence
from harness.lab.yamlfile import Located

CHROMIUM = Path("/usr/bin/chromium")


def _answer_when_open(desk: Desk, **answer) -> threading.Thread:
    """A person who answers the first prompt once it is open."""
    def answer_it():
        for _ in range(2000):
            if desk.open_prompts():
                desk.answer(desk.open_prompts()[0].number, **answer)
                return
            threading.Event().wait(0.01)
    thread = threading.Thread(target=answer_it, daemon=True)
    thread.start()
    return thread


def test_an_answered_prompt_is_returned_and_kept_as_evidence():
    desk = Desk(timeout_s=60, operator="A. Tester")
    _answer_when_open(desk, done=True, saw="LED green", attachment_name="../../photo.jpg", attachment=b"\xff\xd8jpeg")
    answer = desk.ask(Ask.ACT, "act", "Fit the CH", "the hub is powered", test_set="SB11-core", scenario="s1")
    assert (answer.done, answer.by, answer.saw, answer.attachment_name) == (True, "A. Tester", "LED green", "photo.jpg")
    files = evidence(desk.take_answers())
    kept = json.loads(files["operator.json"])
    assert kept[0]["prompt"]["instruction"] == "Fit the CH" and kept[0]["by"] == "A. Tester"
    assert kept[0]["attachment"] == "photo.jpg" and files["operator-1-photo.jpg"] == b"\xff\xd8jpeg"
    assert desk.take_answers() == [] and evidence([]) == {}      # the next scenario starts with none


def test_nobody_answering_blocks_the_scenario_with_what_was_asked():
    desk = Desk(timeout_s=0.01)
    with pytest.raises(NotOnThisBench, match=r"nobody answered the operator prompt within 0.01 s: Fit the CH"):
        desk.ask(Ask.ACT, "act", "Fit the CH", "powered")
    assert desk.open_prompts() == []                 # closed: a late answer is refused, not taken
    with pytest.raises(DitError, match="no open operator prompt #1"):
        desk.answer(1, done=True)


def test_an_operator_who_cannot_do_it_blocks_the_scenario_and_the_answer_is_still_evidence():
    desk = Desk(timeout_s=60)
    _answer_when_open(desk, done=False, by="B. Lead", saw="no spare hub on the bench")
    with pytest.raises(NotOnThisBench, match=r"the operator \(B. Lead\) could not fit the CH: no spare hub"):
        desk.ask(Ask.ACT, "act", "Fit the CH", "powered")
    [kept] = desk.take_answers()
    assert not kept.done


def test_a_look_prompt_needs_what_the_person_saw():
    desk = Desk(timeout_s=60)
    result = {}

    def ask():
        result["saw"] = desk.ask(Ask.LOOK, "read-display", "Read the IHD's display", "the message shown").saw
    thread = threading.Thread(target=ask)
    thread.start()
    while not desk.open_prompts():
        threading.Event().wait(0.01)
    with pytest.raises(DitError, match="asks what you saw"):
        desk.answer(1, done=True, saw="  ")
    desk.answer(1, done=True, saw="Hello from Supplier A")
    thread.join(10)
    assert result["saw"] == "Hello from Supplier A"


def test_the_terminal_shows_the_prompt_and_takes_a_line():
    main, other = os.openpty()
    desk = Desk(timeout_s=60, operator="C. Bench")
    with open(os.ttyname(other), "w", buffering=1, encoding="utf-8") as writer:
        terminal = TerminalDesk(desk, other, writer)
        seen = bytearray()

        def at_the_terminal():
            while b"answer: y" not in seen:
                seen.extend(os.read(main, 4096))
            os.write(main, b"maybe\n")           # not an answer: told how
            while b"answer y [what you saw] or n" not in seen:
                seen.extend(os.read(main, 4096))
            os.write(main, b"y hub LED steady green\n")
        thread = threading.Thread(target=at_the_terminal, daemon=True)
        thread.start()
        answer = desk.ask(Ask.ACT, "act", "Swap the CH", "the new hub is powered", test_set="SB11-core",
                          details={"asset": "CH-78-1"})
        thread.join(10)
        terminal.close()
    os.close(main)
    os.close(other)
    assert "[dit operator #1 act] SB11-core: Swap the CH\n  asset: CH-78-1\n  then confirm:" in seen.decode().replace(
        "\r\n", "\n")
    assert (answer.done, answer.by, answer.saw) == (True, "C. Bench", "hub LED steady green")


def _multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    if file:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + file[1] + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, body: bytes, content_type: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")
    raise AssertionError("the page answers a form with a redirect")


def test_the_web_page_lists_open_prompts_and_takes_an_answer_with_a_photo():
    desk = Desk(timeout_s=60)
    page = WebDesk(desk)
    try:
        result = {}
        thread = threading.Thread(target=lambda: result.update(answer=desk.ask(
            Ask.ACT, "interfere", "Switch on the signal generator", "it transmits", test_set="DB11-core")))
        thread.start()
        while not desk.open_prompts():
            threading.Event().wait(0.01)
        html = urllib.request.urlopen(page.url, timeout=10).read().decode()
        assert "Switch on the signal generator" in html and 'action="/prompts/1"' in html
        assert json.loads(urllib.request.urlopen(page.url + "prompts.json", timeout=10).read())[0]["number"] == 1
        status, where = _post(page.url + "prompts/1", *_multipart({"by": "D. Field", "answer": "maybe"}, None))
        assert status == 303 and "neither+done+nor+cannot" in where and desk.open_prompts()      # still open
        status, where = _post(page.url + "prompts/1", *_multipart(
            {"by": "D. Field", "saw": "carrier on 869.5 MHz", "answer": "done"}, ("scope.jpg", b"\xff\xd8photo")))
        assert (status, where) == (303, "/")
        thread.join(10)
        answer = result["answer"]
        assert (answer.by, answer.saw, answer.attachment) == ("D. Field", "carrier on 869.5 MHz", b"\xff\xd8photo")
        status, where = _post(page.url + "prompts/1", b"answer=done", "application/x-www-form-urlencoded")
        assert status == 303 and "no+open+operator+prompt" in where          # answered once, never twice
        assert "Nothing to do at the bench now" in urllib.request.urlopen(page.url, timeout=10).read().decode()
    finally:
        page.stop()


def _config(tmp_path: Path, operator: str) -> Located:
    (tmp_path / "lab.yaml").write_text(f"name: bench\noperator: {operator}\n")
    return yamlfile.load(tmp_path / "lab.yaml")


def test_settings_are_read_from_the_run_and_the_lab_config_with_one_clear_line_when_wrong(tmp_path):
    assert OperatorSetting.parse("terminal+web:0.0.0.0:9000") == OperatorSetting("/dev/tty", ("0.0.0.0", 9000))
    assert OperatorSetting.parse("web").web == ("127.0.0.1", 8600)
    assert OperatorSetting.parse("terminal:/dev/pts/7").terminal == "/dev/pts/7"
    for spec, said in (("phone", "neither terminal nor web"), ("web:http", "not a port"), ("", "no terminal")):
        with pytest.raises(DitError, match=said):
            OperatorSetting.parse(spec)
    problems: list[str] = []
    assert lab_bench._operator(_config(tmp_path, "{web: 8700, timeout_s: 900, name: E. Bench}"), problems) \
        == OperatorSetting(None, ("127.0.0.1", 8700), 900.0, "E. Bench")
    for bad, said in (("{web: 8700, timeout_s: -1}", "lab.yaml:2: operator.timeout_s: -1 is not a positive number"),
                      ("{web: nine}", "lab.yaml:2: operator.web: operator 'web:nine': 'nine' is not a port"),
                      ("{timeout_s: 5}", "names no terminal and no web page"), ("yes", "must be a mapping")):
        problems = []
        assert lab_bench._operator(_config(tmp_path, bad), problems) is None
        assert len(problems) == 1 and said in problems[0], problems
    with pytest.raises(DitError, match=r"lab.yaml:2: operator.phone: unknown field \(fields here are terminal, web"):
        lab_bench._operator(_config(tmp_path, "{phone: 1}"), [])


def test_a_terminal_that_cannot_be_opened_is_a_bench_fault(tmp_path):
    from harness.errors import BenchFault

    with pytest.raises(BenchFault, match="cannot open the operator's terminal"):
        OperatorSetting(terminal=str(tmp_path / "no-such-tty")).open()


def test_chromium_shows_the_prompt_page_and_answers_it(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
    desk = Desk(timeout_s=120)
    page_server = WebDesk(desk)
    result = {}
    thread = threading.Thread(target=lambda: result.update(answer=desk.ask(
        Ask.ACT, "install-without-wan", "Fit the Communications Hub CH-78-1 where there is no SM WAN coverage",
        "the hub is powered and its WAN indicator shows no network", test_set="SB11-core",
        scenario="no WAN - install and commission ESME")))
    thread.start()
    try:
        while not desk.open_prompts():
            threading.Event().wait(0.01)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"])
            try:
                page = browser.new_page(viewport={"width": 800, "height": 700})
                page.goto(page_server.url)
                prompt = page.locator("#prompt-1")
                assert prompt.is_visible() and "no SM WAN coverage" in prompt.inner_text()
                page.fill("#prompt-1 input[name=by]", "F. Tablet")
                page.fill("#prompt-1 input[name=saw]", "WAN LED off")
                page.set_input_files("#prompt-1 input[name=file]", files=[
                    {"name": "hub.png", "mimeType": "image/png", "buffer": b"\x89PNG photo"}])
                page.screenshot(path=str(tmp_path / "operator-page.png"), full_page=True)
                page.click("#prompt-1 button[value=done]")
                page.wait_for_selector("text=Nothing to do at the bench now")
            finally:
                browser.close()
        thread.join(10)
    finally:
        page_server.stop()
    answer = result["answer"]
    assert (answer.by, answer.saw, answer.attachment_name, answer.attachment) == (
        "F. Tablet", "WAN LED off", "hub.png", b"\x89PNG photo")
    assert (tmp_path / "operator-page.png").stat().st_size > 5000


def test_dit_run_refuses_an_operator_where_none_can_answer(tmp_path):
    from dit_command import dit

    emulated = dit("run", "--operator", "web", "--report-dir", str(tmp_path / "r"))
    assert emulated.returncode == 2 and emulated.stderr.strip().splitlines()[-1] == (
        "dit: error: dit run: --operator: the lab 'Emulated lab' is emulated: it does on site what a person would "
        "(give a real lab's config with --lab, or leave out --operator)")
    assert not (tmp_path / "r" / "phase.db").exists()            # refused before the ledger records a run


def test_one_terminal_is_not_shared_by_several_workers():
    from types import SimpleNamespace

    from harness.cli.run import RunSelection, _check_operator

    bench = SimpleNamespace(kind="real", name="Bench 1")
    _check_operator(RunSelection(operator="web", workers="2"), bench)          # a page per worker
    _check_operator(RunSelection(operator="terminal", workers="1"), bench)
    with pytest.raises(DitError, match="--operator terminal: 2 workers cannot share one terminal"):
        _check_operator(RunSelection(operator="terminal", workers="2"), bench)
    with pytest.raises(DitError, match="'bad' is neither terminal nor web"):
        _check_operator(RunSelection(operator="bad"), bench)
