"""The business scenarios as a test engineer runs them: `dit run` and `dit scenarios`."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from dit_command import dit
from seed_sequences import SEED_SEQUENCES

from harness import catalogue, scenarios
from harness.duis import xml
from harness.ledger import Ledger
from harness.pki import ORGANISATIONS


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    report = tmp_path_factory.mktemp("reports")
    result = dit("run", "--report-dir", str(report), DIT_SMKI=str(report / "smki"))
    return result, report


def _sequence(steps) -> str:
    return " ".join(s["sr"] + ("?" if s["optional"] else "") for s in steps if "sr" in s)


def test_scenarios_lists_every_variant_of_the_plan_in_the_seed_order():
    result = dit("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    variants = {v["id"]: v for v in json.loads(result.stdout)}
    assert SEED_SEQUENCES.keys() <= variants.keys()
    families = {}
    for variant in variants.values():
        families[variant["family"]] = families.get(variant["family"], 0) + 1
    plan = {f: n + scenarios.LAB_VARIANTS.get(f, 0) for f, n in scenarios.FAMILIES.items()}
    assert families == {**plan, **scenarios.LAB_FAMILIES}
    assert sum(scenarios.FAMILIES.values()) == 80
    for variant_id, sequence in SEED_SEQUENCES.items():
        assert _sequence(variants[variant_id]["steps"]) == sequence, variant_id
        assert variants[variant_id]["priority"] in ("High", "Medium"), variant_id
        assert variants[variant_id]["family"] in variants[variant_id]["tags"], variant_id
        assert all(f"SR-{s['sr']}" in variants[variant_id]["tags"] for s in variants[variant_id]["steps"] if "sr" in s)
    esme = variants["install_commission/install-commission-esme-credit"]
    assert esme["business_critical"] and esme["priority"] == "High" and "N24" in esme["alerts"]
    assert esme["steps"][0] == {"sr": "8.11", "name": "Update HAN Device Log", "target": "CHF", "optional": False}
    assert {"ESME", "credit", "IS", "DIT.1"} <= set(esme["tags"]) and esme["requirements"] == ["DIT.1", "DIT.15",
                                                                                                 "DIT.9"]
    local = variants["no_wan_lcd/no-wan-installation-using-lcd-esme-credit"]["steps"]
    assert {"sr": "8.11", "name": "Update HAN Device Log", "target": "CHF", "optional": False,
            "delivery": "local"} in local


def test_every_alert_of_the_plan_is_waited_for_or_asserted_absent_by_a_scenario():
    """The 27 alerts of the DIT plan (N18-N23 one entry), as `dit scenarios --json` reads them from the steps."""
    result = dit("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    variants = json.loads(result.stdout)
    named = {catalogue.dit_alert_entry(code) for v in variants for code in v["alerts"] + v["absent_alerts"]}
    missing = [code for code in catalogue.dit_alerts() if code not in named]
    assert not missing, f"no scenario waits for {missing} (nor asserts it absent)"
    assert "of the plan's 27 alerts waited for" in result.stderr


@pytest.mark.parametrize("text, keyword, entry", [
    ("the Import Supplier receives DCC alert N24", "then", {"alert": "N24"}),
    ("Supplier B receives device alert 0x8f69 from the ESME", "then", {"alert": "0x8F69"}),
    ("Supplier B receives no device alert 0x8F69", "then", {"alert": "0x8F69", "absent": True}),
    ("Supplier A receives no device alert 0x8F69 from the ESME", "then", {"alert": "0x8F69", "absent": True}),
    ("the Import Supplier receives no DCC alert N17", "then", {"alert": "N17", "absent": True}),
    ("the device refuses the request: a used UTRN (0x8F51)", "then", {"alert": "0x8F51"}),
    ("the installer types the code (0x8F51)", "when", None),
    ("the request succeeds", "then", None),
])
def test_the_listing_reads_the_alerts_a_step_waits_for_or_asserts_absent(text, keyword, entry):
    assert scenarios.step_entry(text, keyword) == entry


def test_an_alert_the_terminal_brought_back_is_listed_as_such():
    variants = {v.id: v for v in scenarios.discover()}
    lcd = variants["no_wan_lcd/no-wan-installation-using-lcd-gsme-credit"]
    assert {"alert": "0x8071", "brought_back": True} in lcd.steps and {"0x8F12", "0x8071"} <= set(lcd.alerts)


def test_alert_coverage_counts_an_absent_alert_and_a_firmware_failure_as_the_plans_entries():
    waits = scenarios.ScenarioVariant("f/a", "f", "a", [], None, False, [], alerts=["N20"], absent_alerts=["0x8F69"])
    coverage = scenarios.alert_coverage([waits])
    assert coverage["N18-N23"] == coverage["0x8F69"] == ["f/a"] and coverage["N24"] == []
    assert len(coverage) == 27


def test_dit_run_is_green_and_writes_the_summary(run):
    result, report = run
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((report / "summary.json").read_text())
    # 91 variants as named (the plan's 80, the electricity organisation certificate update with SB11-core's
    # HCALCS, the prepayment Tariff Updates, the gas top-ups, the 3 Change of Supplier variants of the SEC guidance,
    # the 2 credit organisation certificate updates and the firmware update of several devices), 88 with the second
    # manufacturer's devices in their roles (lab.casts: the 2 firmware updates name both meters already, the
    # several devices' update keeps its roles)
    assert summary["totals"]["passed"] == 179 and summary["totals"]["failed"] == 0
    passed = {e["scenario_id"] for e in summary["executions"] if e["outcome"] == "passed"}
    assert passed == set(SEED_SEQUENCES)
    # The lab scenarios need a v1.0 hub, a dual band hub or SMETS2 v2.0 meters: not planned on the default
    # test set, so not "not run" either.
    assert summary["totals"]["not_run"] == 0
    assert set(summary["families"]) == set(scenarios.FAMILIES)
    book = Ledger(f"sqlite:///{report / 'phase.db'}")
    assert [(r.status, r.executions) for r in book.runs()] == [("completed", 179)]
    assert len(book.planned()) == 179 and {e.outcome for e in book.executions()} == {"passed"}
    book.close()
    assert "DIT business scenario families" in result.stdout and "179 passed" in result.stdout
    assert all(family in result.stdout for family in scenarios.FAMILIES)
    assert (report / "junit.xml").exists() and list((report / "allure-results").glob("*-result.json"))


def test_allure_labels_on_every_scenario(run):
    _, report = run
    for path in (report / "allure-results").glob("*-result.json"):
        labels = {(label["name"], label["value"]) for label in json.loads(path.read_text())["labels"]}
        names = {name for name, _ in labels}
        assert {"epic", "feature", "story", "severity", "tag"} <= names, path.name
        epic = next(value for name, value in labels if name == "epic")
        assert epic in scenarios.FAMILIES and ("tag", epic) in labels, path.name


def test_every_duis_message_of_the_run_is_schema_valid(run, duis_schema):
    _, report = run
    documents = sorted(p for p in (report / "evidence").rglob("*.xml") if not p.name.endswith(".mmc.xml"))
    assert len(documents) > 400          # requests, synchronous and asynchronous responses, alerts
    kinds = set()
    for path in documents:
        root = xml.parse(path.read_bytes(), str(path))
        assert duis_schema.errors(root) == [], path.name
        kinds.add(xml.local_name(root))
    assert kinds == {"Request", "Response"}


def test_a_selection_that_matches_nothing_is_a_usage_error(tmp_path):
    result = dit("run", "-k", "no_such_scenario", "--report-dir", str(tmp_path), DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 2 and "no scenario matches" in result.stderr


def test_optional_srs_run_unless_left_out(tmp_path):
    def delete_schedule_sent(*extra) -> bool:
        report = tmp_path / ("without" if extra else "with")
        result = dit("run", "-m", "tariff_update and ESME", "--report-dir", str(report), *extra,
                     DIT_SMKI=str(tmp_path / "smki"))
        assert result.returncode == 0, result.stdout + result.stderr
        return any("SR-5.3-request" in p.name for p in (report / "evidence").rglob("*.xml"))

    assert delete_schedule_sent()
    assert not delete_schedule_sent("--without-optional")


def test_the_evidence_of_a_device_rekey_verifies_offline_with_the_report_keystore(tmp_path):
    """`dit gbcs decode` and `dit duis check` with <report-dir>/keystore alone verify every message a run kept:
    the GSME's from before its rekey and after it, MACs with the organisations' KA test keys; the second GSME's
    too, rekeyed with its own keys where it plays the GSME (GSME=GSME 2)."""
    report = tmp_path / "r"
    result = dit("run", "-k", "device_certificate and Gas-GSME", "--report-dir", str(report),
                 DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"--keystore {report / 'keystore'}" in result.stdout
    keystore, evidence = report / "keystore", report / "evidence"
    assert len(list(keystore.glob("00db1234567890a1-ds.*.pem"))) == 2           # the GSME's first key and its new one
    assert len(list(keystore.glob("00db1234567890b1-ds.*.pem"))) == 2           # the second GSME's
    # Private keys only of the organisations' KA (the seeded SMKI's test keys): the MACs need one side's.
    assert {re.sub(r"\.[0-9a-f]{16}\.key$", "", p.name) for p in keystore.glob("*.key")} <= {
        f"{o.eui.file_stem}-ka" for o in ORGANISATIONS}
    messages = sorted(str(p) for p in evidence.rglob("*.hex"))
    decoded = json.loads(dit("gbcs", "decode", "--json", "--keystore", str(keystore), *messages).stdout)
    assert len(decoded) == len(messages) > 25
    checks = Counter(f"{check} {r[check]}" for r in decoded for check in ("signature", "mac"))
    assert set(checks) == {"signature valid", "signature absent", "mac valid", "mac absent"}, checks
    # The SMKI's own keystore has the GSME's first key only: what the GSME signed after the rekey fails there.
    first_key_only = json.loads(dit("gbcs", "decode", "--json", "--keystore", str(tmp_path / "smki"), *messages).stdout)
    rekeyed = [r for r in first_key_only if r["signature"] == "invalid"]
    assert rekeyed and {r["originator"] for r in rekeyed} == {"00-DB-12-34-56-78-90-A1", "00-DB-12-34-56-78-90-B1"}
    documents = sorted(str(p) for p in evidence.rglob("*.xml") if not p.name.endswith(".mmc.xml"))
    checked = dit("duis", "check", "--json", "--keystore", str(keystore), *documents)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert len(documents) > 50 and [r["signature"] for r in json.loads(checked.stdout)] == ["valid"] * len(documents)


def _gbcs_messages(report):
    """Every GBCS message of a run's evidence: the .hex files and every sr:GBCSPayload of its DUIS documents."""
    import base64

    for path in sorted((report / "evidence").rglob("*.hex")):
        yield path.name, bytes.fromhex(path.read_text().strip())
    for path in sorted((report / "evidence").rglob("*.xml")):
        if path.name.endswith(".mmc.xml"):
            continue
        for node in xml.parse(path.read_bytes(), str(path)).iter("{*}GBCSPayload"):
            yield f"{path.name} sr:GBCSPayload", base64.b64decode(node.text)


def test_every_gbcs_message_of_the_run_is_real_gbcs_and_parses_to_valid_mmc(run, mmc_schema):
    """Real GBCS only: every command, response and alert decodes with the GBCS codec (exact: no byte left
    over; the emulated lab's former model payload, marked E7 01, is not among them) and every response and
    alert parses to MMC that mmc.xsd accepts."""
    from harness.gbcs import payload as gbcs_payload
    from harness.gbcs.frame import CraFlag, GbcsMessage
    from harness.usecases import mmc

    _, report = run
    seen = Counter()
    for name, data in _gbcs_messages(report):
        message = GbcsMessage.decode(data)
        assert message.apdu.payload[:2] != b"\xe7\x01", f"{name}: the emulated lab's former model payload"
        decoded = gbcs_payload.decode(message.apdu)
        assert decoded.undecoded_bytes == 0, name
        if message.apdu.cra_flag is not CraFlag.COMMAND:
            document, _ = mmc.parse(message)
            assert mmc_schema.errors(document) == [], name
        seen[message.apdu.cra_flag.name] += 1
    assert seen["COMMAND"] > 300 and seen["RESPONSE"] > 300 and seen["ALERT"] >= 10, seen


def test_step_definitions_are_pytest_bdds_answer_found_once_per_keyword_text_and_module(monkeypatch):
    """The plugin answers pytest-bdd's look-up of the definitions that match a step as pytest-bdd would (the visible
    ones, of the step's keyword or of none, whose parser matches, in its order), for the session: which definitions
    a module sees is asked once, a keyword and text once per module."""
    from types import SimpleNamespace

    from harness import plugin

    bdd, asked, matched = plugin._BDD_SCENARIO, [], []

    class Words:
        def __init__(self, word):
            self.word = word

        def is_matching(self, text):
            matched.append(text)
            return self.word in text

    def definition(kind, word, seen_from=("a.py", "b.py")):
        def step():
            pass
        return SimpleNamespace(func=step, context=SimpleNamespace(type=kind, parser=Words(word)), seen_from=seen_from)

    defs = {"given_esme": definition("given", "ESME"), "then_esme": definition("then", "ESME"),
            "any_the": definition(None, "the"), "given_esme_in_b": definition("given", "ESME", ("b.py",)),
            "not_a_step": definition("given", "ESME")}

    def visible(fixturemanager, name, node):
        asked.append((name, node.parent.nodeid))
        return [defs[name]] if node.parent.nodeid in defs[name].seen_from else None

    monkeypatch.setattr(bdd, "get_fixture_names", lambda fixturemanager: list(defs))
    monkeypatch.setattr(bdd, "getfixturedefs", visible)
    monkeypatch.setattr(bdd, "step_function_context_registry",
                        {d.func: d.context for name, d in defs.items() if name != "not_a_step"})
    config = SimpleNamespace(stash=pytest.Stash())
    here, there = (SimpleNamespace(config=config, parent=SimpleNamespace(nodeid=m)) for m in ("a.py", "b.py"))
    steps = [SimpleNamespace(type=kind, name=text) for kind, text in
             (("given", "the ESME"), ("then", "the ESME"), ("given", "a GSME"), ("when", "the DCC"))]
    expected = {(s.name, s.type, n.parent.nodeid): list(plugin._find_step_definitions(s, None, n))
                for s in steps for n in (here, there)}
    assert expected["the ESME", "given", "b.py"] == [defs["given_esme"], defs["any_the"], defs["given_esme_in_b"]]
    asked.clear(), matched.clear()
    for _ in range(2):
        for s in steps:
            for n in (here, there):
                assert list(plugin._step_definitions(s, None, n)) == expected[s.name, s.type, n.parent.nodeid]
    assert sorted(asked) == sorted((name, m) for name in defs for m in ("a.py", "b.py"))    # once per module
    # each text against the visible definitions of its keyword or of none, once per module: 7 in a.py, 9 in b.py
    assert len(matched) == 16
