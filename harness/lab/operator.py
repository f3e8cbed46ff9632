"""An operator in the loop: what a real bench cannot do by itself becomes a prompt to the person at the bench.

A step that needs a person (fit or swap a CH, move a device out of WAN coverage, switch on a signal generator,
renew organisation certificates with the SMKI, load a manufacturer's image, read a display) asks the `Desk`: the
prompt says what to do and what to confirm. The person answers at a terminal (`TerminalDesk`: a line `y [what you
saw]` or `n [why not]`) or on a small web page the run serves (`WebDesk`, for a tablet at the bench, with an
optional photo or file). An answer is evidence of the execution: who, when, what they saw, the file. Nobody
answering within the timeout, or the person saying it cannot be done, blocks the scenario (NotOnThisBench): the
system under test is not to blame, as OpenHTF's operator prompts leave a test's verdict to its measurements.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from enum import Enum
from typing import IO
from urllib.parse import parse_qs, quote_plus

from harness.errors import BenchFault, DitError, NotOnThisBench
from harness.httpio import HttpServer, WebReply, WebRequest

DEFAULT_TIMEOUT_S = 600.0
WEB_PORT = 8600                          # the operator page's, unless the run or the lab config says another


class Ask(Enum):
    ACT = "act"         # do something at the bench, then confirm it is done
    LOOK = "look"       # look at something (a display) and say what it shows


@dataclass(frozen=True)
class Prompt:
    number: int
    kind: Ask
    act: str                    # which act, for a lab that scripts some of them: install-without-wan, read-display
    instruction: str            # exactly what to do
    confirm: str                # what to confirm, or what to read off
    test_set: str
    scenario: str
    # what a lab that scripts the act needs beyond its name: the device's asset, the party's entity ID
    details: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"number": self.number, "kind": self.kind.value, "act": self.act, "instruction": self.instruction,
                "confirm": self.confirm, "test_set": self.test_set, "scenario": self.scenario,
                "details": dict(self.details)}


@dataclass(frozen=True)
class OperatorAnswer:
    prompt: Prompt
    done: bool
    by: str
    at: str                     # ISO 8601, UTC
    saw: str
    attachment_name: str | None = None
    attachment: bytes | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, object]:
        return {"prompt": self.prompt.as_json(), "done": self.done, "by": self.by, "at": self.at, "saw": self.saw,
                "attachment": self.attachment_name}


class Desk:
    """The open prompts of one bench and their answers. A step's thread waits in `ask`; a terminal or web page
    thread answers with `answer`."""

    def __init__(self, *, timeout_s: float = DEFAULT_TIMEOUT_S, operator: str = "",
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.timeout_s = timeout_s
        self.operator = operator            # who answers at the terminal, unless the answer names someone
        self._now = now
        self._lock = threading.Condition()
        self._open: dict[int, Prompt] = {}
        self._answers: dict[int, OperatorAnswer] = {}
        self._numbers = 0
        self._listeners: list[Callable[[Prompt], None]] = []
        self.answered: list[OperatorAnswer] = []        # this scenario's, in order: evidence
        self.url: str | None = None                     # the operator page's, when one is served
        self.closers: list[Callable[[], None]] = []     # the terminal's stream, the page's server

    def close(self) -> None:
        for close in self.closers:
            close()
        self.closers = []

    def listen(self, listener: Callable[[Prompt], None]) -> None:
        """Told of every prompt as it opens (a terminal prints it)."""
        self._listeners.append(listener)

    def ask(self, kind: Ask, act: str, instruction: str, confirm: str, *, test_set: str = "", scenario: str = "",
            timeout_s: float | None = None, details: dict[str, str] | None = None) -> OperatorAnswer:
        """Wait for the person's answer; NotOnThisBench when nobody answers in time or it cannot be done."""
        with self._lock:
            self._numbers += 1
            prompt = Prompt(self._numbers, kind, act, instruction, confirm, test_set, scenario,
                            tuple((details or {}).items()))
            self._open[prompt.number] = prompt
        for listener in self._listeners:
            listener(prompt)
        wait = self.timeout_s if timeout_s is None else timeout_s
        with self._lock:
            got = self._lock.wait_for(lambda: prompt.number in self._answers, timeout=wait)
            self._open.pop(prompt.number, None)
            if not got:
                raise NotOnThisBench(f"nobody answered the operator prompt within {wait:g} s: {instruction}",
                                     fix="answer at the terminal or on the operator page, or raise the timeout "
                                         "(operator: timeout_s in the lab config)")
            answer = self._answers.pop(prompt.number)
        self.answered.append(answer)
        if not answer.done:
            raise NotOnThisBench(f"the operator ({answer.by}) could not {instruction[0].lower()}{instruction[1:]}"
                                 + (f": {answer.saw}" if answer.saw else ""),
                                 fix="do it at the bench and run the scenario again")
        return answer

    def open_prompts(self) -> list[Prompt]:
        with self._lock:
            return sorted(self._open.values(), key=lambda p: p.number)

    def answer(self, number: int, *, done: bool, by: str = "", saw: str = "", attachment_name: str | None = None,
               attachment: bytes | None = None) -> OperatorAnswer:
        """The person's answer to an open prompt; DitError when no such prompt is open (answered already, or gone)."""
        with self._lock:
            prompt = self._open.get(number)
            if prompt is None or number in self._answers:
                raise DitError(f"no open operator prompt #{number}", fix="answer one of the prompts still open")
            if prompt.kind is Ask.LOOK and done and not saw.strip():
                raise DitError(f"prompt #{number} asks what you saw: {prompt.confirm}", fix="say what it shows")
            name = _safe_name(attachment_name) if attachment else None
            answer = OperatorAnswer(prompt, done, by.strip() or self.operator or "operator",
                                    self._now().isoformat(timespec="seconds"), saw.strip(), name, attachment or None)
            self._answers[number] = answer
            self._lock.notify_all()
        return answer

    def take_answers(self) -> list[OperatorAnswer]:
        """This scenario's answers, handed to its evidence; the desk starts the next scenario empty."""
        answers, self.answered = self.answered, []
        return answers


def evidence(answers: list[OperatorAnswer]) -> dict[str, bytes]:
    """Files for the execution's evidence folder: operator.json and each attachment (operator-<n>-<name>)."""
    if not answers:
        return {}
    files = {"operator.json": (json.dumps([a.as_json() for a in answers], indent=2) + "\n").encode()}
    for a in answers:
        if a.attachment is not None and a.attachment_name:
            files[f"operator-{a.prompt.number}-{a.attachment_name}"] = a.attachment
    return files


def _safe_name(name: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(".-")
    return stem[:80] or "attachment"


# -- at a terminal --------------------------------------------------------------------------------------------

class TerminalDesk:
    """Prompts written to a terminal and answered there, one line per prompt: `y [what you saw]` when done,
    `n [why]` when it cannot be done; with several prompts open, `#N y ...` says which."""

    def __init__(self, desk: Desk, reader: int, writer: IO[str]):
        # The reader is a file descriptor polled with select: a thread blocked in a file object's read would hold
        # its lock, and closing the terminal at the end of the run would wait for a line that never comes.
        self.desk, self._reader, self._writer = desk, reader, writer
        self._open = True
        desk.listen(self._show)
        self._thread = threading.Thread(target=self._read, name="operator terminal", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._open = False
        self._thread.join(timeout=2)

    def _show(self, prompt: Prompt) -> None:
        what = "then confirm" if prompt.kind is Ask.ACT else "then say what it shows"
        named = "".join(f"  {key}: {value}\n" for key, value in prompt.details)      # what the act is done to
        self._writer.write(f"\n[dit operator #{prompt.number} {prompt.act}] {prompt.test_set}: {prompt.instruction}\n"
                           f"{named}  {what}: {prompt.confirm}\n  answer: y [what you saw] | n [why not]\n> ")
        self._writer.flush()

    def _read(self) -> None:
        pending = b""
        while self._open:
            if not select.select([self._reader], [], [], 0.2)[0]:
                continue
            try:
                chunk = os.read(self._reader, 4096)
            except OSError:
                return
            if not chunk:
                return
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self._take(line.decode("utf-8", errors="replace").strip())

    def _take(self, words: str) -> None:
        if not words:
            return
        number: int | None = None
        if m := re.match(r"#(\d+)\s+(.*)", words):
            number, words = int(m.group(1)), m.group(2)
        yes = re.match(r"(y|yes|done)\b\s*(.*)", words, re.I)
        no = re.match(r"(n|no|cannot)\b\s*(.*)", words, re.I)
        said = yes or no
        if said is None:
            self._say("answer y [what you saw] or n [why not]")
            return
        open_now = self.desk.open_prompts()
        if number is None:
            if len(open_now) != 1:
                self._say("no prompt is open" if not open_now else "several prompts are open: start the answer with #N")
                return
            number = open_now[0].number
        try:
            self.desk.answer(number, done=yes is not None, saw=said.group(2))
        except DitError as exc:
            self._say(str(exc))

    def _say(self, words: str) -> None:
        self._writer.write(f"  ({words})\n> ")
        self._writer.flush()


# -- on a web page ---------------------------------------------------------------------------------------------

class WebDesk:
    """The open prompts on a page a person at the bench keeps open (it refreshes itself), answered by a form with
    their name, what they saw and an optional photo or file. Plain HTTP on the bench's own network: it carries
    instructions and confirmations, no keys."""

    def __init__(self, desk: Desk, host: str = "127.0.0.1", port: int = 0):
        self.desk = desk
        self._server = HttpServer(_no_post, host, port, web=("/", self._on_request)).start()

    @property
    def url(self) -> str:
        return self._server.base_url + "/"

    def stop(self) -> None:
        self._server.stop()

    def _on_request(self, request: WebRequest) -> WebReply:
        if request.method == "GET" and request.path == "/prompts.json":
            return WebReply(200, "application/json",
                            json.dumps([p.as_json() for p in self.desk.open_prompts()]).encode())
        if request.method == "GET" and request.path == "/":
            return WebReply(200, "text/html; charset=utf-8",
                            _page(self.desk.open_prompts(), request.query.get("said", "")).encode())
        m = re.fullmatch(r"/prompts/(\d+)", request.path)
        if request.method != "POST" or m is None:
            return WebReply(404, "text/plain", b"GET / or /prompts.json; POST /prompts/<n>")
        try:
            form = _form(request.headers.get("Content-Type", ""), request.body)
            action = form.get("answer", b"").decode()
            if action not in ("done", "cannot"):
                raise DitError("the answer is neither done nor cannot", fix="press Done or Cannot")
            self.desk.answer(int(m.group(1)), done=action == "done", by=form.get("by", b"").decode(),
                             saw=form.get("saw", b"").decode(), attachment_name=form.get("file.name", b"").decode(),
                             attachment=form.get("file") or None)
        except (DitError, UnicodeDecodeError, ValueError) as exc:
            return _see_other("/?said=" + quote_plus(str(exc)[:300]))
        return _see_other("/")          # back to the list: a reload does not answer twice


def _no_post(path: str, body: bytes) -> tuple[int, str, bytes]:
    return 404, "text/plain", b"not found"      # every path is the page's


def _see_other(location: str) -> WebReply:
    return WebReply(303, "text/plain", b"", headers=(("Location", location),))


def _form(content_type: str, body: bytes) -> dict[str, bytes]:
    """A form's fields, url-encoded or multipart (a file field also gives `<name>.name`, its file name)."""
    if content_type.startswith("multipart/form-data"):
        message: Message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        if not message.is_multipart():
            raise DitError("a multipart form without parts", fix="send the form as the page does")
        fields: dict[str, bytes] = {}
        for part in message.get_payload():
            assert isinstance(part, Message)
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            data = part.get_payload(decode=True)
            fields[name] = data if isinstance(data, bytes) else b""
            if (filename := part.get_filename()) is not None:
                fields[f"{name}.name"] = filename.encode()
        return fields
    return {k: v[0].encode() for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}


def _page(prompts: list[Prompt], said: str) -> str:
    e = html.escape
    items = "".join(
        f"""<section class="prompt" id="prompt-{p.number}"><h2>#{p.number} {e(p.test_set)}</h2>
<p class="do">{e(p.instruction)}</p><p class="confirm"><b>{'Confirm' if p.kind is Ask.ACT else 'Say what it shows'}:</b>
{e(p.confirm)}</p><p class="scenario">{e(p.scenario)}</p>
<form method="post" action="/prompts/{p.number}" enctype="multipart/form-data">
<label>Your name <input name="by" required></label>
<label>What you saw <input name="saw" size="50"{' required' if p.kind is Ask.LOOK else ''}></label>
<label>Photo or file <input type="file" name="file"></label>
<button name="answer" value="done">Done</button> <button name="answer" value="cannot" formnovalidate>Cannot</button>
</form></section>""" for p in prompts) or "<p class=\"idle\">Nothing to do at the bench now.</p>"
    note = f'<p class="said">{e(said)}</p>' if said else ""
    # Idle, the page reloads itself; with prompts open it reloads only when they change, not under a typing hand.
    shown = ",".join(str(p.number) for p in prompts)
    watch = ('<meta http-equiv="refresh" content="5">' if not prompts else
             f'<script>setInterval(async () => {{const open = await (await fetch("/prompts.json")).json();'
             f'if (open.map(p => p.number).join(",") !== "{shown}") location.reload();}}, 3000);</script>')
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dit: the bench's operator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{watch}
<style>body{{font-family:sans-serif;margin:1em;max-width:48em}}.prompt{{border:2px solid #246;padding:.5em 1em;
margin:1em 0}}.do{{font-size:1.3em}}label{{display:block;margin:.4em 0}}button{{font-size:1.2em;padding:.3em 1em}}
.said{{color:#a00}}.scenario{{color:#555;font-size:.85em}}</style></head>
<body><h1>Operator prompts</h1>{note}{items}</body></html>"""


# -- how a bench reaches its operator ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OperatorSetting:
    """Where prompts go: a terminal (a tty device path; /dev/tty is the run's own), a web page (host, port), or
    both; how long a prompt waits; who answers at the terminal."""
    terminal: str | None = None
    web: tuple[str, int] | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    name: str = ""

    @staticmethod
    def parse(spec: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, name: str = "") -> OperatorSetting:
        """`terminal`, `terminal:/dev/pts/3`, `web`, `web:PORT` or `web:HOST:PORT`; several joined by `+`."""
        terminal: str | None = None
        web: tuple[str, int] | None = None
        for part in filter(None, spec.split("+")):
            kind, _, rest = part.partition(":")
            if kind == "terminal":
                terminal = rest or "/dev/tty"
            elif kind == "web":
                host, _, port = rest.rpartition(":") if ":" in rest else ("", "", rest)
                if port and not port.isdigit() or port.isdigit() and not 0 <= int(port) <= 65535:
                    raise DitError(f"operator {part!r}: {port!r} is not a port",
                                   fix="write web, web:PORT or web:HOST:PORT")
                web = (host or "127.0.0.1", int(port) if port else WEB_PORT)
            else:
                raise DitError(f"operator {part!r} is neither terminal nor web",
                               fix="write terminal, terminal:/dev/pts/N, web, web:PORT or web:HOST:PORT (join with +)")
        if terminal is None and web is None:
            raise DitError("operator names no terminal and no web page", fix="write terminal, web or terminal+web")
        return OperatorSetting(terminal, web, timeout_s, name)

    def open(self, *, worker: int = 0) -> Desk:
        """The desk with its terminal and page (`Desk.url`; `Desk.close` closes them). A run's workers serve their
        pages on consecutive ports (worker N on PORT+N)."""
        desk = Desk(timeout_s=self.timeout_s, operator=self.name)
        if self.terminal is not None:
            try:        # a terminal is not seekable: one each way (closed by Desk.close)
                reader = os.open(self.terminal, os.O_RDONLY | os.O_NOCTTY)
                writer = open(self.terminal, "w", buffering=1, encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise BenchFault(f"cannot open the operator's terminal {self.terminal}: {exc.strerror or exc}",
                                 part="operator terminal", fix="give a terminal this run can open (--operator web "
                                 "for a page instead)") from None
            terminal = TerminalDesk(desk, reader, writer)
            desk.closers += [terminal.close, lambda: os.close(reader), writer.close]
        if self.web is not None:
            host, port = self.web
            page = WebDesk(desk, host, port + worker if port else 0)
            desk.closers.append(page.stop)
            desk.url = page.url
        return desk

