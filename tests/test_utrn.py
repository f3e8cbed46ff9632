"""UTRNs (GBCS 14.3.4-14.3.5): the public CS01a vector, the check digit, and what a meter refuses."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import utrn as u
from harness.pki import Keystore, KeyUsage

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
SUPPLIER_B = EntityId("90-B3-D5-1F-30-03-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
GSME = EntityId("00-DB-12-34-56-78-90-A1")
PP_KA, KA = KeyUsage.PREPAYMENT_KEY_AGREEMENT, KeyUsage.KEY_AGREEMENT

# DUIS template CS01a_2.2_SUCCESS_REQUEST_DUIS.XML: RequestID counter and the UTRN it tops up with.
VECTOR_COUNTER = 12884901888
VECTOR_UTRN = "73946144332040217315"


def _vend(keystore: Keystore, *, supplier=SUPPLIER_A, device=ESME, counter: int, **amount) -> str:
    return u.generate_utrn(supplier=supplier, device=device, counter=counter,
                           supplier_pp_ka_private=keystore.private_key(supplier, PP_KA),
                           device_ka_public=keystore.public_key(device, KA), **amount)


def _meter(keystore: Keystore, cache: u.UtrnCounterCache, *, device=ESME, supplier=SUPPLIER_A, **kwargs):
    """The ESME's side: its own KA private key and the supplier's PP-KA key from its trust anchor cell."""
    def enter(code: str, **more) -> u.Credit:
        return u.verify_utrn(code, supplier=supplier, device=device, cache=cache,
                             device_ka_private=keystore.private_key(device, KA),
                             supplier_pp_ka_public=keystore.public_key(supplier, PP_KA), **kwargs, **more)
    return enter


# -- the public vector --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zaz1(conformance) -> Keystore:
    return Keystore.load(conformance / "gbcs" / "keystore")


def test_conformance_vector_is_reproduced_from_the_zaz1_keys(zaz1):
    assert _vend(zaz1, counter=VECTOR_COUNTER, pounds=10) == VECTOR_UTRN


@pytest.mark.parametrize("counter, amount, expected", [
    # gbcs-parser's test vectors (same ZAZ1 keys): pounds class, and pennies chosen for 1234p.
    (1 << 32, {"pounds": 100}, "73943333457189043313"),
    (4 << 32, {"amount_pence": 1234}, "73947252416745201637"),
])
def test_other_public_vectors(zaz1, counter, amount, expected):
    assert _vend(zaz1, counter=counter, **amount) == expected


def test_conformance_vector_verifies_back(zaz1):
    # ZAZ1 publishes no ESME private key; ECDH is symmetric, so the supplier's PP-KA private key with
    # the ESME's KA certificate gives the meter's shared secret.
    credit = u.verify_utrn(VECTOR_UTRN, supplier=SUPPLIER_A, device=ESME, cache=u.UtrnCounterCache(),
                           device_ka_private=zaz1.private_key(SUPPLIER_A, PP_KA),
                           supplier_pp_ka_public=zaz1.public_key(ESME, KA))
    assert credit == u.Credit(value=10, value_class=u.ValueClass.POUNDS, amount_pence=1000, counter=VECTOR_COUNTER)


def test_the_tag_is_made_with_the_prepayment_key_not_the_supplier_ka_key(zaz1):
    with pytest.raises(u.UtrnNotAuthentic):
        u.verify_utrn(VECTOR_UTRN, supplier=SUPPLIER_A, device=ESME, cache=u.UtrnCounterCache(),
                      device_ka_private=zaz1.private_key(SUPPLIER_A, KA),
                      supplier_pp_ka_public=zaz1.public_key(ESME, KA))


def test_ptut_layout():
    ptut = u.parse_utrn(VECTOR_UTRN)
    assert (ptut.counter_bits, ptut.value_class, ptut.value) == (VECTOR_COUNTER >> 32, u.ValueClass.POUNDS, 10)
    assert int(ptut) == int(VECTOR_UTRN[:-1]) - u.PPTD_OFFSET
    assert u.decode_ptut(int(ptut)) == ptut
    assert u.parse_utrn("7394 6144 3320 4021 7315") == ptut
    with pytest.raises(u.UtrnNotAuthentic, match="lead bits"):
        u.decode_ptut(int(ptut) | 1 << 63)
    for value_class in (0b10, 0b11):                 # neither pennies nor pounds: no UTRN, not a crash
        with pytest.raises(u.UtrnNotAuthentic, match=f"value class {value_class:02b}"):
            u.decode_ptut(int(ptut) & ~(0b11 << 45) | value_class << 45)


# -- check digit --------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [VECTOR_UTRN, "73943333457189043313", "74301825837596672005"])
def test_check_digit_of_public_utrns(number):
    assert u.verhoeff_check_digit(number[:-1]) == number[-1]
    assert u.verhoeff_valid(number)


def test_check_digit_for_19_digits_is_gbcs_table_14_8c():
    # Table 14.8c maps the running D5 value to the check digit; "0" * k steers that value.
    table = [1, 2, 6, 7, 5, 8, 3, 0, 9, 4]
    seen = {}
    for n in range(10 ** 3):
        pptd = f"{n:019d}"
        seen.setdefault(u._verhoeff_sum(pptd), u.verhoeff_check_digit(pptd))
    assert seen == {c: str(table[c]) for c in range(10)}


@pytest.mark.parametrize("number", [VECTOR_UTRN, "73947252416745201637"])
def test_check_digit_catches_every_single_digit_error(number):
    for i, digit in enumerate(number):
        for wrong in "0123456789".replace(digit, ""):
            assert not u.verhoeff_valid(number[:i] + wrong + number[i + 1:]), (i, wrong)


@pytest.mark.parametrize("number", [VECTOR_UTRN, "73947252416745201637", "74301825837596672005"])
def test_check_digit_catches_every_adjacent_transposition(number):
    swaps = [number[:i] + number[i + 1] + number[i] + number[i + 2:]
             for i in range(len(number) - 1) if number[i] != number[i + 1]]
    assert swaps and not any(u.verhoeff_valid(s) for s in swaps)


def test_bad_check_digit_is_not_authentic(smki):
    wrong = VECTOR_UTRN[:-1] + "6"
    with pytest.raises(u.UtrnNotAuthentic) as raised:
        _meter(smki.keystore, u.UtrnCounterCache())(wrong)
    assert raised.value.alert_code == 0x8F63 and "check digit" in str(raised.value)


# -- the meter: authenticity, reuse, threshold ---------------------------------------------------------

COUNTER = 1_767_603_600 << 32       # 2026-01-05 09:00 UTC, as next_utrn_counter gives
STEP = 1 << 32


def _used_meter_cache(**kwargs) -> u.UtrnCounterCache:
    """A meter that took a top-up a minute earlier: keypad entry reconstructs counters near it (an empty
    cache reconstructs from 0, so a fresh meter needs the full counter from a CS01a command)."""
    return u.UtrnCounterCache([COUNTER - 60 * STEP], **kwargs)


def test_utrn_round_trip_on_the_local_smki(smki):
    code = _vend(smki.keystore, counter=COUNTER, amount_pence=2500)
    credit = _meter(smki.keystore, _used_meter_cache())(code)
    assert credit == u.Credit(value=2500, value_class=u.ValueClass.PENNIES, amount_pence=2500, counter=COUNTER)


def test_forged_value_with_a_good_check_digit_is_not_authentic(smki):
    ptut = u.parse_utrn(_vend(smki.keystore, counter=COUNTER, amount_pence=500))
    forged = u.utrn_of(replace(ptut, value=5000))      # more credit, check digit recomputed
    assert u.verhoeff_valid(forged)
    with pytest.raises(u.UtrnNotAuthentic) as raised:
        _meter(smki.keystore, u.UtrnCounterCache())(forged)
    assert raised.value.alert_code == 0x8F63


def test_utrn_made_with_another_suppliers_key_is_not_authentic(smki):
    other = u.generate_utrn(supplier=SUPPLIER_A, device=ESME, counter=COUNTER, amount_pence=500,
                            supplier_pp_ka_private=smki.keystore.private_key(SUPPLIER_B, PP_KA),
                            device_ka_public=smki.keystore.public_key(ESME, KA))
    cache = u.UtrnCounterCache()
    with pytest.raises(u.UtrnNotAuthentic):
        _meter(smki.keystore, cache)(other)
    assert len(cache) == 0


def test_utrn_for_another_device_is_not_authentic(smki):
    code = _vend(smki.keystore, device=GSME, counter=COUNTER, amount_pence=500)
    with pytest.raises(u.UtrnNotAuthentic):
        _meter(smki.keystore, u.UtrnCounterCache())(code)


def test_a_utrn_is_accepted_once(smki):
    code = _vend(smki.keystore, counter=COUNTER, amount_pence=500)
    cache = _used_meter_cache()
    enter = _meter(smki.keystore, cache)
    assert enter(code).amount_pence == 500
    with pytest.raises(u.DuplicateUtrn) as raised:
        enter(code)
    assert raised.value.alert_code == 0x8F51 and "Duplicate UTRN entered" in str(raised.value)
    with pytest.raises(u.DuplicateUtrn):
        enter(code, counter=COUNTER)              # the same UTRN sent again in a CS01a command
    assert list(cache) == [COUNTER - 60 * STEP, COUNTER]


def test_out_of_order_utrns_are_accepted_until_the_cache_floor(smki):
    codes = {n: _vend(smki.keystore, counter=COUNTER + n * STEP, amount_pence=100) for n in range(5)}
    cache = u.UtrnCounterCache([COUNTER], size=3)
    enter = _meter(smki.keystore, cache)
    assert cache.floor is None
    for n in (3, 2):                          # typed out of order: fine while the cache has room
        assert enter(codes[n]).counter == COUNTER + n * STEP
    assert cache.floor == COUNTER
    enter(codes[4])                           # full: drops the lowest, the floor rises to 2
    assert list(cache) == [COUNTER + n * STEP for n in (2, 3, 4)]
    with pytest.raises(u.DuplicateUtrn, match="below the lowest"):
        enter(codes[1])                       # never used, but below what the meter still remembers
    with pytest.raises(u.DuplicateUtrn):
        enter(codes[0])


def test_counter_is_reconstructed_across_a_10_bit_wrap(smki):
    base = 0x12345 << 32                      # low 10 bits of the UTRN counter: 0x345 = 837
    cache = u.UtrnCounterCache([base])
    enter = _meter(smki.keystore, cache)
    later = base + 300 * STEP                 # bits wrap to 113
    earlier = base - 200 * STEP
    assert enter(_vend(smki.keystore, counter=later, amount_pence=100)).counter == later
    assert enter(_vend(smki.keystore, counter=earlier, amount_pence=100)).counter == earlier


def test_counter_from_the_command_must_match_the_utrn(smki):
    code = _vend(smki.keystore, counter=COUNTER, amount_pence=100)
    enter = _meter(smki.keystore, u.UtrnCounterCache())
    with pytest.raises(u.UtrnNotAuthentic, match="does not match"):
        enter(code, counter=COUNTER + STEP)
    assert enter(code, counter=COUNTER).counter == COUNTER


def test_credit_above_the_threshold_is_refused_and_not_used_up(smki):
    code = _vend(smki.keystore, counter=COUNTER, amount_pence=6000)
    cache = _used_meter_cache()
    with pytest.raises(u.UtrnExceedsMaximumCredit) as raised:
        _meter(smki.keystore, cache, max_credit_pence=5000)(code)
    assert raised.value.alert_code == 0x8F5B
    assert COUNTER not in cache
    assert _meter(smki.keystore, cache, max_credit_pence=6000)(code).amount_pence == 6000


# -- vending ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pence, value_class, value", [
    (8191, u.ValueClass.PENNIES, 8191), (8200, u.ValueClass.POUNDS, 82), (819100, u.ValueClass.POUNDS, 8191)])
def test_value_class_is_chosen_by_amount(smki, pence, value_class, value):
    ptut = u.parse_utrn(_vend(smki.keystore, counter=COUNTER, amount_pence=pence))
    assert (ptut.value_class, ptut.value, ptut.amount_pence) == (value_class, value, pence)


@pytest.mark.parametrize("kwargs, message", [
    ({"amount_pence": 8201}, "does not fit"), ({"amount_pence": -1}, "negative"),
    ({"pounds": 8192}, "does not fit"), ({"amount_pence": 100, "counter": COUNTER + 1}, "multiple of 2\\^32"),
    ({"amount_pence": 100, "pounds": 1}, "exactly one")])
def test_bad_vending_requests(smki, kwargs, message):
    kwargs = {"counter": COUNTER, **kwargs}
    with pytest.raises(DitError, match=message):
        _vend(smki.keystore, **kwargs)


def test_next_utrn_counter_starts_from_the_time_then_steps_by_one(smki):
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    first = u.next_utrn_counter(None, now)
    assert first == COUNTER
    counters = [first]
    for _ in range(600):                      # more than the 10-bit window: steps keep the meter in sync
        counters.append(u.next_utrn_counter(counters[-1], now + dt.timedelta(days=1)))
    assert all(b - a == STEP for a, b in itertools.pairwise(counters))
    cache = u.UtrnCounterCache([first])
    enter = _meter(smki.keystore, cache)
    for counter in counters[1::50]:
        assert enter(_vend(smki.keystore, counter=counter, amount_pence=100)).counter == counter


# -- dit utrn -----------------------------------------------------------------------------------------

def dit(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", "utrn", *args], check=False, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


PARTIES = ("--supplier", str(SUPPLIER_A), "--device", str(ESME))


def test_cli_prints_a_utrn_the_meter_accepts(smki):
    result = dit(*PARTIES, "--counter-from-time", "--amount", "12.34", "--json", env={"DIT_SMKI": str(smki.directory)})
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["value_class"] == "pennies" and row["value"] == 1234 and row["counter"] % STEP == 0
    assert row["ptut"] == int(row["utrn"][:-1]) - u.PPTD_OFFSET
    previous = row["counter"] - 5 * STEP        # the meter took earlier top-ups from this supplier
    credit = _meter(smki.keystore, u.UtrnCounterCache([previous]))(row["utrn"])
    assert (credit.amount_pence, credit.counter) == (1234, row["counter"])


def test_cli_reproduces_the_conformance_vector(conformance):
    result = dit(*PARTIES, "--counter", str(VECTOR_COUNTER), "--amount", "10", "--value-class", "pounds",
                 "--keystore", str(conformance / "gbcs" / "keystore"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == VECTOR_UTRN


@pytest.mark.parametrize("args, expect", [
    (("--supplier", "90-B3-D5-1F-30-00-00-02", "--device", str(ESME)), "no PP-KA"),      # the ACB has no PP-KA key
    (("--supplier", "90-B3-D5-1F", "--device", str(ESME)), "not an EUI-64"),
    ((*PARTIES, "--amount", "81.92", "--value-class", "pennies"), "more than 8191 pennies"),
    ((*PARTIES, "--amount", "8192"), "does not fit"),
    ((*PARTIES, "--amount", "1.005"), "whole number of pence"),
    ((*PARTIES, "--counter", "5"), "multiple of 2^32"),
])
def test_cli_errors_are_one_line_exit_2(smki, args, expect):
    defaults = {"--amount": "10.00", "--counter": str(COUNTER)}
    extra = [x for flag, value in defaults.items() if flag not in args for x in (flag, value)]
    result = dit(*args, *extra, "--keystore", str(smki.directory))
    assert result.returncode == 2
    assert expect in _one_error_line(result)


def test_cli_missing_keystore_key_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = dit(*PARTIES, "--counter", str(COUNTER), "--amount", "1", "--keystore", str(tmp_path / "empty"))
    assert result.returncode == 2 and "no PP-KA" in _one_error_line(result)
