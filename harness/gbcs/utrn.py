"""UTRNs: the 20-digit prepayment top-up codes of GBCS 14.3.4-14.3.5, made and checked as GBCS does.

UTRN = PPTD (19 digits) + check digit (GBCS 14.8, a Verhoeff variant); PPTD = PPTD_OFFSET + PTUT.
PTUT (64 bits): high word = 7 zero bits | counter bits 32..41 | value class (2) | value (13);
low word = the last 4 bytes of a 16-byte AES-128-GCM tag keyed by the supplier's Prepayment KA key
and the device's KA key (KDF mode 01, a command), IV = supplier || 00000000, no plaintext,
AAD = 11 0000000000 || supplier || device || 01 || counter (8) || PTUT high word (4).
Reproduces the CS01a 2.2 template's UTRN 73946144332040217315 from the ZAZ1 test keys.

A meter reconstructs the counter from its 10 bits and its UTRN Counter Cache (GBCS table 27) and
refuses a counter it already holds or one below the cache when the cache is full.
"""

from __future__ import annotations

import datetime as dt
import hmac
from bisect import insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import IntEnum

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness import catalogue
from harness.errors import CheckFailed, DitError
from harness.eui import EntityId
from harness.gbcs.crypto import MAC_AAD_PREFIX, derive_key
from harness.gbcs.frame import CraFlag

PPTD_OFFSET = 7394156990786306048
UTRN_LENGTH = 20
COUNTER_STEP = 1 << 32          # UTRN counters are multiples of 2^32: only bits 32..41 travel
TRUNCATED_COUNTER_BITS = 10
MAX_VALUE = (1 << 13) - 1       # 8191
# Entries of a meter's UTRN Counter Cache: 100 as public meter code has it (citing GBCS 14.1); unconfirmed.
UTRN_COUNTER_CACHE_SIZE = 100


class ValueClass(IntEnum):
    PENNIES = 0
    POUNDS = 1

    @property
    def pence(self) -> int:
        return 1 if self is ValueClass.PENNIES else 100


# -- rejections, named by the alert the meter raises --------------------------------------------------

class UtrnRejected(CheckFailed):
    """A meter refuses this UTRN; `alert_code` is the GBCS alert it raises."""

    alert_code: int = 0

    def __init__(self, what: str):
        super().__init__(f"UTRN rejected with alert 0x{self.alert_code:04X} "
                         f"{catalogue.device_alert(self.alert_code).name}: {what}")


class UtrnNotAuthentic(UtrnRejected):
    """Bad check digit, bad layout or a tag that does not verify. A UTRN names no device, so one made
    for another device lands here too: 0x8F64 (not for this Device) cannot be told apart."""

    alert_code = 0x8F63


class DuplicateUtrn(UtrnRejected):
    """The counter is in the UTRN Counter Cache, or below it when the cache is full."""

    alert_code = 0x8F51


class UtrnExceedsMaximumCredit(UtrnRejected):
    alert_code = 0x8F5B


# -- check digit ---------------------------------------------------------------------------------------

def _d5(j: int, k: int) -> int:
    """Multiplication in the dihedral group D5, digits 0-4 rotations and 5-9 reflections (GBCS table 14.8b)."""
    if j < 5:
        return (j + k) % 5 if k < 5 else 5 + (j + k) % 5
    return 5 + (j - k) % 5 if k < 5 else (j - k) % 5


_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
_P = [tuple(range(10))]
for _ in range(7):                      # GBCS table 14.8a: row K is the K-th power of _P1
    _P.append(tuple(_P1[x] for x in _P[-1]))
_VERHOEFF_START = 4                     # GBCS starts the permutation index at 4, reading left to right


def _verhoeff_sum(digits: str) -> int:
    c = 0
    for i, ch in enumerate(digits):
        c = _d5(c, _P[(_VERHOEFF_START + i) % 8][int(ch)])
    return c


def verhoeff_check_digit(digits: str) -> str:
    """GBCS 14.8's check digit: the digit that brings the whole string's D5 sum to 0. It is not
    textbook Verhoeff (that runs right to left and gives 9, not 5, for the CS01a vector); for
    the 19 PPTD digits it is GBCS table 14.8c."""
    if not digits.isdigit() or not digits.isascii():
        raise DitError(f"a check digit is computed over decimal digits, not {digits!r}")
    c = _verhoeff_sum(digits)
    row = _P[(_VERHOEFF_START + len(digits)) % 8]
    return str(next(x for x in range(10) if _d5(c, row[x]) == 0))


def verhoeff_valid(number: str) -> bool:
    """Whether the last digit is the check digit of the others."""
    return len(number) > 1 and number.isascii() and number.isdigit() and _verhoeff_sum(number) == 0


# -- PTUT ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ptut:
    """A Prepayment Top-Up Token: what the 19 PPTD digits carry."""

    counter_bits: int               # originator counter bits 32..41
    value_class: ValueClass
    value: int                      # 0..8191 pennies or pounds
    tag: int                        # last 4 bytes of the GCM tag

    @property
    def high_word(self) -> int:
        return (self.counter_bits << 15) | (int(self.value_class) << 13) | self.value

    @property
    def amount_pence(self) -> int:
        return self.value * self.value_class.pence

    def __int__(self) -> int:
        return (self.high_word << 32) | self.tag


def decode_ptut(ptut: int) -> Ptut:
    """Split a PTUT; a set lead bit or value class 10/11 means it is no UTRN (0x8F63)."""
    if not 0 <= ptut < 1 << 64:
        raise UtrnNotAuthentic(f"PTUT {ptut} is not a 64-bit value")
    high = ptut >> 32
    if high >> 25:
        raise UtrnNotAuthentic(f"PTUT lead bits are not zero (high word 0x{high:08X})")
    value_class = (high >> 13) & 0b11
    if value_class not in (ValueClass.PENNIES, ValueClass.POUNDS):
        raise UtrnNotAuthentic(f"PTUT value class {value_class:02b} is neither pennies nor pounds")
    return Ptut(counter_bits=(high >> 15) & 0x3FF, value_class=ValueClass(value_class), value=high & MAX_VALUE,
                tag=ptut & 0xFFFFFFFF)


def utrn_of(ptut: Ptut | int) -> str:
    pptd = str(PPTD_OFFSET + int(ptut))
    return pptd + verhoeff_check_digit(pptd)


def parse_utrn(utrn: str) -> Ptut:
    """The PTUT of a UTRN as typed (spaces and hyphens between digit groups ignored)."""
    digits = "".join(ch for ch in str(utrn) if ch not in " -")
    if len(digits) != UTRN_LENGTH or not digits.isascii() or not digits.isdigit():
        raise UtrnNotAuthentic(f"a UTRN is {UTRN_LENGTH} digits, not {utrn!r}")
    if not verhoeff_valid(digits):
        raise UtrnNotAuthentic(f"check digit of {digits} is wrong")
    return decode_ptut(int(digits[:-1]) - PPTD_OFFSET)


def _check_counter(counter: int) -> None:
    if not 0 <= counter < 1 << 64 or counter % COUNTER_STEP:
        raise DitError(f"UTRN counter {counter} is not a 64-bit multiple of 2^32",
                       fix="use next_utrn_counter() or (seconds since the epoch) << 32")


def _tag(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey, *, supplier: EntityId,
         device: EntityId, counter: int, high_word: int) -> int:
    """Last 4 bytes of the full 16-byte tag (GCM tags elsewhere in GBCS are cut to 12, so
    crypto.gcm_encrypt cannot give them)."""
    command = int(CraFlag.COMMAND)
    key = derive_key(private_key, public_key, originator=supplier, counter=counter, recipient=device, mode=command)
    aad = (MAC_AAD_PREFIX + bytes(supplier) + bytes(device) + bytes([command]) + counter.to_bytes(8, "big")
           + high_word.to_bytes(4, "big"))
    encryptor = Cipher(algorithms.AES(key), modes.GCM(bytes(supplier) + bytes(4))).encryptor()
    encryptor.authenticate_additional_data(aad)
    encryptor.finalize()
    return int.from_bytes(encryptor.tag[-4:], "big")


def choose_value(amount_pence: int) -> tuple[ValueClass, int]:
    """Pennies when the amount fits 13 bits, else whole pounds."""
    if amount_pence < 0:
        raise DitError(f"a top-up cannot be negative ({amount_pence}p)")
    if amount_pence <= MAX_VALUE:
        return ValueClass.PENNIES, amount_pence
    if amount_pence % 100 == 0 and amount_pence // 100 <= MAX_VALUE:
        return ValueClass.POUNDS, amount_pence // 100
    raise DitError(f"£{Decimal(amount_pence) / 100:.2f} does not fit a UTRN",
                   fix=f"give at most £{MAX_VALUE / 100:.2f} in pence, or whole pounds up to £{MAX_VALUE}")


def parse_amount(text: str) -> int:
    """'10.00' or '£10' -> 1000 pence."""
    try:
        pounds = Decimal(text.strip().lstrip("£"))
    except InvalidOperation:
        raise DitError(f"not an amount in pounds: {text!r}", fix="write it as 10.00") from None
    pence = pounds * 100
    if not pence.is_finite() or pence != pence.to_integral_value():
        raise DitError(f"not a whole number of pence: {text!r}", fix="write it as 10.00")
    return int(pence)


def generate_utrn(*, supplier: EntityId | str, device: EntityId | str, counter: int,
                  supplier_pp_ka_private: ec.EllipticCurvePrivateKey, device_ka_public: ec.EllipticCurvePublicKey,
                  amount_pence: int | None = None, pounds: int | None = None) -> str:
    """The UTRN a supplier vends for this device: give amount_pence (class chosen by choose_value)
    or pounds (pounds class, as the CS01a template does)."""
    if amount_pence is None and pounds is not None:
        if not 0 <= pounds <= MAX_VALUE:
            raise DitError(f"£{pounds} does not fit a UTRN", fix=f"give 0 to {MAX_VALUE} pounds")
        value_class, value = ValueClass.POUNDS, pounds
    elif amount_pence is not None and pounds is None:
        value_class, value = choose_value(amount_pence)
    else:
        raise DitError("give exactly one of amount_pence and pounds")
    return utrn_of(make_ptut(supplier=supplier, device=device, counter=counter, value_class=value_class, value=value,
                             supplier_pp_ka_private=supplier_pp_ka_private, device_ka_public=device_ka_public))


def make_ptut(*, supplier: EntityId | str, device: EntityId | str, counter: int, value_class: ValueClass,
              value: int, supplier_pp_ka_private: ec.EllipticCurvePrivateKey,
              device_ka_public: ec.EllipticCurvePublicKey) -> Ptut:
    _check_counter(counter)
    if not 0 <= value <= MAX_VALUE:
        raise DitError(f"PTUT value {value} is not 0..{MAX_VALUE}")
    ptut = Ptut((counter >> 32) & 0x3FF, ValueClass(value_class), value, tag=0)
    return replace(ptut, tag=_tag(supplier_pp_ka_private, device_ka_public, supplier=EntityId(supplier),
                                  device=EntityId(device), counter=counter, high_word=ptut.high_word))


def next_utrn_counter(previous: int | None, now: dt.datetime) -> int:
    """The counter of a supplier's next UTRN for a device. The first is seconds since the epoch << 32
    (as the DCC Boxed tools do, so SR 2.2's RequestID counter stays above millisecond counters);
    after that one step per UTRN, because a meter rebuilds a keypad UTRN's counter from 10 bits
    only within 512 steps of the highest it has accepted (GBCS table 27)."""
    counter = int(now.timestamp()) << 32 if previous is None else previous + COUNTER_STEP
    _check_counter(counter)
    return counter


# -- the meter's side ---------------------------------------------------------------------------------

class UtrnCounterCache:
    """The UTRN counters a meter has accepted (GBCS UTRN Counter Cache). UTRNs may be typed out of
    order, so a lower unused counter is fine until the cache is full; then its lowest entry is the
    floor, and anything not above it is refused as a duplicate."""

    def __init__(self, counters: Iterable[int] = (), *, size: int = UTRN_COUNTER_CACHE_SIZE):
        if size < 1:
            raise DitError(f"a UTRN Counter Cache holds at least one counter, not {size}")
        self.size = size
        self._counters: list[int] = sorted(set(counters))[-size:]

    @property
    def highest(self) -> int | None:
        return self._counters[-1] if self._counters else None

    @property
    def floor(self) -> int | None:
        """Counters at or below this are refused (None until the cache is full)."""
        return self._counters[0] if len(self._counters) >= self.size else None

    def refuse_used(self, counter: int) -> None:
        if counter in self._counters:
            raise DuplicateUtrn(f"counter {counter} was already accepted")
        if self.floor is not None and counter < self.floor:
            raise DuplicateUtrn(f"counter {counter} is below the lowest the meter keeps ({self.floor})")

    def add(self, counter: int) -> None:
        self.refuse_used(counter)
        insort(self._counters, counter)
        del self._counters[:-self.size]

    def reconstruct(self, counter_bits: int) -> int:
        """GBCS table 27: the full counter within 512 steps of the highest cached one with these 10 bits.
        An empty cache counts from 0, so a meter that took no UTRN yet needs the full counter (CS01a)."""
        highest = (self.highest or 0) >> 32
        p = highest & 0x3FF
        q = highest - p
        half = 1 << (TRUNCATED_COUNTER_BITS - 1)
        s = counter_bits
        if s < p - half:
            s += 1 << TRUNCATED_COUNTER_BITS
        elif s > p + half and q >= 1 << TRUNCATED_COUNTER_BITS:
            s -= 1 << TRUNCATED_COUNTER_BITS
        return (q + s) << 32

    def __contains__(self, counter: object) -> bool:
        return counter in self._counters

    def __iter__(self) -> Iterator[int]:
        return iter(self._counters)

    def __len__(self) -> int:
        return len(self._counters)


@dataclass(frozen=True)
class Credit:
    """What an accepted UTRN adds."""

    value: int
    value_class: ValueClass
    amount_pence: int
    counter: int


def verify_utrn(utrn: str, *, supplier: EntityId | str, device: EntityId | str,
                device_ka_private: ec.EllipticCurvePrivateKey, supplier_pp_ka_public: ec.EllipticCurvePublicKey,
                cache: UtrnCounterCache, max_credit_pence: int | None = None, counter: int | None = None) -> Credit:
    """What a meter does with a UTRN: check digit, counter, tag, reuse, threshold; on success the
    counter joins `cache`. `supplier_pp_ka_public` comes from the device's Supplier Prepayment KA
    trust anchor cell. `counter` is the full counter when the UTRN came in a CS01a command (its MAC
    header carries it); for keypad entry leave it None and the cache reconstructs it. Authenticity
    is checked before reuse, so a forgery of a used counter reads as not authentic."""
    ptut = parse_utrn(utrn)
    if counter is None:
        counter = cache.reconstruct(ptut.counter_bits)
    elif counter % COUNTER_STEP or (counter >> 32) & 0x3FF != ptut.counter_bits:
        raise UtrnNotAuthentic(f"counter {counter} of the command does not match the UTRN's counter bits")
    tag = _tag(device_ka_private, supplier_pp_ka_public, supplier=EntityId(supplier), device=EntityId(device),
               counter=counter, high_word=ptut.high_word)
    if not hmac.compare_digest(tag.to_bytes(4, "big"), ptut.tag.to_bytes(4, "big")):
        raise UtrnNotAuthentic(f"tag does not verify for {EntityId(supplier)} -> {EntityId(device)} counter {counter}")
    cache.refuse_used(counter)
    if max_credit_pence is not None and ptut.amount_pence > max_credit_pence:
        raise UtrnExceedsMaximumCredit(f"{ptut.amount_pence}p is above the maximum credit threshold "
                                       f"{max_credit_pence}p")
    cache.add(counter)
    return Credit(ptut.value, ptut.value_class, ptut.amount_pence, counter)
