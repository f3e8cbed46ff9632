"""ESME reads of registers, prepayment values and logs (DLMS COSEM): ECS17b, ECS17d, ECS19, ECS20b,
ECS20c, ECS21a, ECS21b, ECS22b, ECS66; and the billing data log entry the ESME pushes as alert 0x8F0A (ECS68).

Every one is the Data Protection (class 30) method get_protected_attributes: the command names the
objects to read (attribute 2, with a from/to range for logs) and protection parameters that embed the
transaction id (04 || originator counter), the originator (the User, also when the DCC originates on
its behalf) and the recipient (the device). The device answers with the same parameters and the values
encrypted end to end: AES-GCM under the GBCS KDF with the originator, counter and recipient of the
response's grouping header (the supplementary remote party and supplementary originator counter when
the DCC carried it, as for 4.14 URP). The keystore opens them; without the key they go on as
ra:GBCSData format="encrypted" with a note.

Values are typed for MMC: log timestamps (seconds since 2000-01-01 UTC) become xs:dateTime, registers
integers with their unit.

The device side (at the end) reads which objects a command reads and, for logs, the range it selects
(sr:ReadLogPeriod for the firmware), and answers the outcome, in the names mmc.values gives the response,
as the RTDS responses are written, the values sealed with the DeviceCommand's end-to-end encryption.
`rows` reads a repeated MMC element out of those names (the answers, the steps and tests use it).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import axdr, dlms, gbz
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.usecases import device
from harness.usecases.mmc import M, decrypt, pass_on_encrypted, utc_text
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, parse_date_time

ESME = (DeviceType.ESME,)
DATA, PROFILE_GENERIC, DATA_PROTECTION = 1, 7, 30
GET_PROTECTED_ATTRIBUTES = 1
RANGE_SELECTOR = 1
AUTHENTICATION_AND_ENCRYPTION = 2           # protection type
AGREED_KEY, ECC_CDH_ONE_PASS = 2, b"\x02"   # key info: agreed key, key parameters C(0e, 2s ECC CDH)
TRANSACTION_MODE = b"\x04"                  # the KDF's encryption mode: transaction id = 04 || counter
SECURITY_CONTROL = 0x31                     # security header of the protected attributes: 31 || 4 bytes


@dataclass(frozen=True)
class ProtectedRead:
    """One use case's get_protected_attributes: its Data Protection object and the objects it reads
    (attribute 2), by range of the request's ReadLogPeriod for logs."""

    protection: Obis
    objects: tuple[tuple[int, Obis], ...]
    ranged: bool

    @classmethod
    def of(cls, protection: str, *objects: tuple[int, str]) -> ProtectedRead:
        return cls(Obis.parse(protection), tuple((c, Obis.parse(o)) for c, o in objects),
                   any(c == PROFILE_GENERIC for c, _ in objects))


READS: dict[str, ProtectedRead] = {
    "ECS17b": ProtectedRead.of("0-0:43.2.8.255", (DATA, "0-0:94.44.34.10")),
    "ECS17d": ProtectedRead.of("0-0:43.2.9.255", (DATA, "0-0:94.44.34.1")),
    "ECS19": ProtectedRead.of("0-0:43.2.1.255", (DATA, "0-0:94.44.34.30")),
    "ECS20b": ProtectedRead.of("0-0:43.2.3.255", (PROFILE_GENERIC, "0-0:98.1.2.255")),
    "ECS20c": ProtectedRead.of("0-0:43.2.2.255", (PROFILE_GENERIC, "0-0:98.1.0.255"),
                               (PROFILE_GENERIC, "0-0:98.1.1.255")),
    "ECS21a": ProtectedRead.of("0-0:43.2.5.255", (PROFILE_GENERIC, "0-0:98.1.9.255")),
    "ECS21b": ProtectedRead.of("0-0:43.2.6.255", (PROFILE_GENERIC, "0-0:98.1.8.255")),
    "ECS22b": ProtectedRead.of("0-0:43.2.7.255", (PROFILE_GENERIC, "0-0:99.1.0.255")),
    "ECS66": ProtectedRead.of("0-0:43.2.4.255", (PROFILE_GENERIC, "0-0:99.1.3.255")),
}


# -- Transform ------------------------------------------------------------------------------------

def selective_date_time(value: dt.datetime) -> bytes:
    """A log range bound as GBCS sends it: UTC, day of week and clock status not specified."""
    value = value.astimezone(dt.UTC)
    return (value.year.to_bytes(2, "big") + bytes((value.month, value.day, 0xFF, value.hour, value.minute,
                                                    value.second, value.microsecond // 10000)) + b"\x80\x00\xff")


def read_log_period(request: DuisRequest) -> tuple[dt.datetime, dt.datetime]:
    bounds = []
    for name in ("StartDateTime", "EndDateTime"):
        path = f"ReadLogPeriod/{name}"
        bounds.append(parse_date_time(request.require(path), f"{request.srv} sr:{path}", request.where))
    if bounds[1] < bounds[0]:
        raise TransformError(f"{request.srv} sr:ReadLogPeriod: EndDateTime is before StartDateTime",
                             where=request.where)
    return bounds[0], bounds[1]


def protection_parameters(counter: int, originator, recipient) -> Data:
    return axdr.array(axdr.structure(axdr.enum(AUTHENTICATION_AND_ENCRYPTION), axdr.structure(
        axdr.octet_string(TRANSACTION_MODE + counter.to_bytes(8, "big")),
        axdr.octet_string(bytes(originator)), axdr.octet_string(bytes(recipient)),
        axdr.octet_string(b""),                                           # other information
        axdr.structure(axdr.enum(AGREED_KEY), axdr.structure(axdr.octet_string(ECC_CDH_ONE_PASS),
                                                             axdr.octet_string(b""))))))


def get_protected_attributes(read: ProtectedRead, request: DuisRequest, ctx: CommandContext) -> bytes:
    if read.ranged:
        start, end = read_log_period(request)
        access = axdr.structure(axdr.enum(RANGE_SELECTOR), axdr.structure(
            axdr.octet_string(selective_date_time(start)), axdr.octet_string(selective_date_time(end))))
    else:
        access = axdr.structure(axdr.enum(0), axdr.NULL)
    objects = axdr.array(*(axdr.structure(axdr.long_unsigned(class_id), axdr.octet_string(obis.raw), axdr.integer(2),
                                          axdr.long_unsigned(0), access) for class_id, obis in read.objects))
    # The protected parties are the User and the device, also when the DCC originates on its behalf.
    parameters = axdr.structure(objects, protection_parameters(ctx.counter, request.originator, request.target))
    spec = RequestSpec(RequestKind.ACTION, Descriptor(DATA_PROTECTION, read.protection, GET_PROTECTED_ATTRIBUTES))
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter), (spec,), (parameters,)).encode()


def _builder(use_case: str) -> Callable[[DuisRequest, CommandContext], bytes]:
    read = READS[use_case]
    return lambda request, ctx: get_protected_attributes(read, request, ctx)


for _srv, _use_case in (("4.1.1", "ECS17b"), ("4.1.2", "ECS17d"), ("4.3", "ECS19"), ("4.4.2", "ECS20b"),
                        ("4.4.3", "ECS20c"), ("4.6.1", "ECS21a"), ("4.8.1", "ECS22b")):
    command(_srv, _use_case, devices=ESME)(_builder(_use_case))


def _urp(request: DuisRequest) -> bool:
    return request.has("KAPublicSecurityCredentials")


# 4.14 and 4.17 URP: the DCC originates on the User's behalf and carries the User's KA certificate in the header
# (an Other User's read: it is in none of the meter's trust anchor cells, so only that certificate can seal the
# response for it).
for _srv, _use_case in (("4.14", "ECS21b"), ("4.17", "ECS66")):
    command(_srv, _use_case, devices=ESME, applies=lambda r: not _urp(r))(_builder(_use_case))
    command(_srv, _use_case, devices=ESME, originator=Originator.ACB, applies=_urp)(_builder(_use_case))


# -- Parse ----------------------------------------------------------------------------------------

def protected_values(ctx: ResponseContext) -> tuple[Data, ...] | None:
    """The decrypted values of a get_protected_attributes response, one per object read; None when the
    device returned none (an error) or they could not be decrypted (note + ra:GBCSData)."""
    value = ctx.payload.value
    if not isinstance(value, dlms.AccessResponse) or not value.data or value.data[0].tag is Tag.NULL:
        return None
    answer = value.data[0]
    if answer.tag is not Tag.STRUCTURE or len(answer.items) != 2 or answer.items[1].tag is not Tag.OCTET_STRING:
        raise PayloadError(f"{ctx.use_case}: get_protected_attributes response must be a structure of protection "
                           f"parameters and protected attributes, found {answer.tag.label}", 0)
    return unsealed(ctx, answer.items[1].octets, answer, "protected attributes")


def unsealed(ctx: ResponseContext, protected: bytes, passed_on: Data, name: str) -> tuple[Data, ...] | None:
    """The items of the structure sealed in protected data (security header 31, a 4-byte invocation counter,
    ciphertext || tag); None when they cannot be decrypted, `passed_on` then going on as ra:GBCSData."""
    if len(protected) < 5 or protected[0] != SECURITY_CONTROL:
        raise PayloadError(f"{ctx.use_case}: {name} must start with security header 31 and a "
                           f"4-byte invocation counter", 0)
    plain = decrypt(ctx, protected[5:])
    if plain is None:
        pass_on_encrypted(ctx, passed_on.encode(), name=f"{ctx.use_case} {name}", kind="dlms")
        return None
    try:
        data, end = axdr.decode(plain)
    except PayloadError as exc:
        raise PayloadError(f"{ctx.use_case}: decrypted {name}: {exc.reason}", exc.offset) from None
    if end != len(plain) or data.tag is not Tag.STRUCTURE:
        raise PayloadError(f"{ctx.use_case}: decrypted {name} must be one structure", end)
    return data.items


def named(parse: Callable[[ResponseContext, etree._Element], None]
          ) -> Callable[[ResponseContext, etree._Element], None]:
    """A Parse whose PayloadErrors name the use case (values of the wrong type deep in a log)."""
    @functools.wraps(parse)
    def run(ctx: ResponseContext, rsp: etree._Element) -> None:
        try:
            parse(ctx, rsp)
        except PayloadError as exc:
            if exc.reason.startswith(f"{ctx.use_case}:"):
                raise
            raise PayloadError(f"{ctx.use_case}: {exc.reason}", exc.offset) from None
    return run


def _expect(ctx: ResponseContext, condition: bool, what: str) -> None:
    if not condition:
        raise PayloadError(f"{ctx.use_case}: decrypted protected attributes: {what}", 0)


def timestamp(item: Data) -> str:
    """A log entry's time: seconds since 2000-01-01 UTC (double-long-unsigned), or a DLMS date-time."""
    if item.tag is Tag.DOUBLE_LONG_UNSIGNED:
        return utc_text(gbz.gbz_time(item.int))
    if item.tag is Tag.OCTET_STRING and len(item.octets) == 12:
        stamp = dlms.DlmsDateTime(item.octets).datetime
        if stamp is not None:
            return utc_text(stamp)
    raise PayloadError(f"a log timestamp must be seconds since 2000 or a DLMS date-time, found {item.tag.label}", 0)


def integer(item: Data) -> str:
    return str(item.int)


def indexed(name: str, values: Data | tuple[Data, ...]) -> list[etree._Element]:
    items = values.items if isinstance(values, Data) else values
    return [M(name, integer(v), index=str(i)) for i, v in enumerate(items, start=1)]


def entries(ctx: ResponseContext, log: Data, limit: int) -> tuple[Data, ...]:
    """The entries of a profile's buffer, at most as many as MMC allows (a note says what was cut)."""
    _expect(ctx, log.tag in (Tag.ARRAY, Tag.COMPACT_ARRAY), f"a log buffer must be an array, found {log.tag.label}")
    rows = log.items
    for row in rows:
        _expect(ctx, row.tag is Tag.STRUCTURE and len(row.items) >= 2 and row.items[0].tag is not Tag.ARRAY,
                "a log entry must be a structure starting with its timestamp")
    if len(rows) > limit:
        ctx.notes.append(f"{ctx.use_case}: {len(rows)} log entries, MMC carries the first {limit}")
    return rows[:limit]


# GBCS energy units (Blue Book unit enumeration) as MMC names them.
ENERGY_UNITS = {30: "Wh", 32: "varh"}
MMC_UNITS = {"ActiveEnergyUnit": 30, "ReactiveEnergyUnit": 32}


def register(ctx: ResponseContext, name: str, unit_name: str, value: Data, scaler_unit: Data | None) -> etree._Element:
    element = M(name)
    scaler, unit = (scaler_unit.items[0].int, scaler_unit.items[1].int) if scaler_unit is not None else (0, None)
    amount = value.int
    if scaler >= 0:
        amount *= 10 ** scaler
    else:
        ctx.notes.append(f"{ctx.use_case}: {name} scaler {scaler} not applied: MMC carries integers")
    element.append(M.Value(str(amount)))
    if unit == MMC_UNITS[unit_name]:
        element.append(M(unit_name, ENERGY_UNITS[unit]))
    elif unit is not None:
        ctx.notes.append(f"{ctx.use_case}: {name} unit {unit} is not the {ENERGY_UNITS[MMC_UNITS[unit_name]]} "
                         f"MMC's {unit_name} names")
    return element


@response("ECS17b")
@named
def import_registers(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Active import (Wh), reactive import (varh) and, on a twin element ESME, secondary active import."""
    electricity = M.Electricity()
    rsp.append(electricity)
    values = protected_values(ctx)
    if values is None:
        return
    _expect(ctx, len(values) == 1 and values[0].tag is Tag.STRUCTURE and len(values[0].items) in (4, 5),
            "import registers must be active, scaler-unit, reactive, scaler-unit [, secondary active]")
    active, active_unit, reactive, reactive_unit, *secondary = values[0].items
    electricity.append(register(ctx, "ActiveImportRegister", "ActiveEnergyUnit", active, active_unit))
    electricity.append(register(ctx, "ReactiveImportRegister", "ReactiveEnergyUnit", reactive, reactive_unit))
    if secondary:
        electricity.append(register(ctx, "SecondaryActiveImportRegister", "ActiveEnergyUnit", secondary[0],
                                    active_unit))


@response("ECS17d")
@named
def tou_matrices(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The 48 TOU registers and, on a twin element ESME, the secondary element's 4."""
    electricity = M.Electricity()
    rsp.append(electricity)
    values = protected_values(ctx)
    if values is None:
        return
    _expect(ctx, len(values) == 1 and values[0].tag is Tag.STRUCTURE
            and all(v.tag is Tag.ARRAY for v in values[0].items), "TOU register collection must be arrays")
    matrices = values[0].items
    collection = M.TariffTOURegisterCollection(*indexed("TOUPrimaryRegisterValue", matrices[0]))
    if len(matrices) > 1:
        collection.extend(indexed("TOUSecondRegisterValue", matrices[1]))
    electricity.append(collection)


# The ECS19 prepayment registers in payload order (as ReadInstantaneousPrepayValuesRsp lists them).
PREPAY_VALUES = ("EmergencyCreditBalance", "AccumulatedDebtRegister", "PaymentDebtRegister", "TimeDebtRegister1",
                 "TimeDebtRegister2", "MeterBalance")
# The prepayment data of the billing data and prepayment daily read logs in capture order, inferred from the
# RTDS (the last is the sum of the three debt registers before it; the second can be negative); MMC's
# PrepaymentOperationalDataType lists them alphabetically.
PREPAYMENT_CAPTURE = ("EmergencyCreditBalance", "MeterBalance", "PaymentDebtRegister", "TimeDebtRegisters1",
                      "TimeDebtRegisters2", "AccumulatedDebtRegister")
PREPAYMENT_MMC = ("AccumulatedDebtRegister", "EmergencyCreditBalance", "MeterBalance", "PaymentDebtRegister",
                  "TimeDebtRegisters1", "TimeDebtRegisters2")


@response("ECS19")
@named
def prepay_values(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = protected_values(ctx)
    if values is None:
        return
    _expect(ctx, len(values) == 1 and values[0].tag is Tag.STRUCTURE and len(values[0].items) == len(PREPAY_VALUES),
            f"prepayment registers must be a structure of {len(PREPAY_VALUES)} integers")
    for name, item in zip(PREPAY_VALUES, values[0].items):
        rsp.append(M(name, integer(item)))


def prepayment_entry(ctx: ResponseContext, name: str, stamp: Data, values: tuple[Data, ...]) -> etree._Element:
    _expect(ctx, len(values) == len(PREPAYMENT_CAPTURE), f"prepayment data must be {len(PREPAYMENT_CAPTURE)} integers")
    by_name = dict(zip(PREPAYMENT_CAPTURE, values))
    return M(name, *(M(field, integer(by_name[field])) for field in PREPAYMENT_MMC), M.Timestamp(timestamp(stamp)))


@dataclass
class Consumption:
    """A billing data or daily read log entry: its timestamp, the active import register (and the secondary
    element's), the TOU register matrix (and the secondary's), the four TOU block register matrices and,
    where the log holds it, the prepayment data. Told apart by shape: leading integers, then arrays of 48,
    4 (secondary TOU) and 8 (blocks), then trailing integers."""

    stamp: Data
    registers: tuple[Data, ...]
    tou: tuple[Data, ...]
    secondary_tou: tuple[Data, ...]
    blocks: tuple[tuple[Data, ...], ...]
    prepayment: tuple[Data, ...]

    @classmethod
    def of(cls, ctx: ResponseContext, row: Data) -> Consumption:
        stamp, *rest = row.items
        first = next((i for i, item in enumerate(rest) if item.tag is Tag.ARRAY), len(rest))
        last = max((i for i, item in enumerate(rest) if item.tag is Tag.ARRAY), default=first - 1) + 1
        arrays = rest[first:last]
        _expect(ctx, 1 <= first <= 2 and all(a.tag is Tag.ARRAY for a in arrays),
                "a consumption log entry must be timestamp, 1 or 2 registers, then register matrices")
        tou = [a.items for a in arrays if len(a.items) == 48]
        secondary = [a.items for a in arrays if len(a.items) == 4]
        blocks = tuple(a.items for a in arrays if len(a.items) == 8)
        _expect(ctx, len(tou) <= 1 and len(secondary) <= 1 and len(blocks) <= 4
                and len(tou) + len(secondary) + len(blocks) == len(arrays),
                "register matrices must be 48 TOU, 4 secondary TOU and up to 4 blocks of 8")
        return cls(stamp, tuple(rest[:first]), tou[0] if tou else (), secondary[0] if secondary else (), blocks,
                   tuple(rest[last:]))

    def block_elements(self) -> list[etree._Element]:
        return [e for n, block in enumerate(self.blocks, start=1)
                for e in indexed(f"TariffTOUBlock{n}RegisterMatrixValue", block)]


def log_buffers(ctx: ResponseContext, count: int) -> tuple[Data, ...] | None:
    values = protected_values(ctx)
    if values is None:
        return None
    _expect(ctx, len(values) == count, f"expected {count} log buffer(s), found {len(values)}")
    return values


@response("ECS20b")
@named
def change_of_mode_or_tariff_billing_data_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    electricity = M.Electricity()
    rsp.append(electricity)
    buffers = log_buffers(ctx, 1)
    if buffers is None:
        return
    rows = [Consumption.of(ctx, row) for row in entries(ctx, buffers[0], 12)]
    for row in rows:
        entry = M.LogEntryConsumptionAndTariffRegistersData(
            M.ActiveImportRegisterConsumption(integer(row.registers[0])))
        entry.extend(indexed("TariffTOURegisterMatrixValue", row.tou))
        entry.extend(row.block_elements())
        if len(row.registers) > 1:
            entry.append(M.SecondaryActiveImportRegisterConsumption(integer(row.registers[1])))
        entry.extend(indexed("SecondaryTariffTOURegisterMatrixValue", row.secondary_tou))
        entry.append(M.Timestamp(timestamp(row.stamp)))
        electricity.append(entry)
    for row in rows:
        if row.prepayment:
            electricity.append(prepayment_entry(ctx, "LogEntryPrepaymentData", row.stamp, row.prepayment))


def billing_data_log_entry(row: Consumption) -> etree._Element:
    """An ESMEBillingDataLogEntry (the billing calendar log's, and the one ECS68 alerts carry)."""
    entry = M.ESMEBillingDataLogEntry(M.Timestamp(timestamp(row.stamp)),
                                      M.ActiveImportRegisterValueConsumption(integer(row.registers[0])))
    if len(row.registers) > 1:
        entry.append(M.SecondaryActiveImportRegisterValueConsumption(integer(row.registers[1])))
    entry.extend(indexed("TariffTOURegisterMatrixValue", row.tou))
    entry.extend(indexed("SecondaryTariffTOURegisterMatrixValue", row.secondary_tou))
    entry.extend(row.block_elements())
    return entry


@response("ECS20c")
@named
def billing_calendar_billing_data_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    electricity = M.Electricity()
    rsp.append(electricity)
    buffers = log_buffers(ctx, 2)
    if buffers is None:
        return
    for row in (Consumption.of(ctx, r) for r in entries(ctx, buffers[0], 12)):
        electricity.append(billing_data_log_entry(row))
    for entry in entries(ctx, buffers[1], 12):
        electricity.append(prepayment_entry(ctx, "ESMEBillingPrepaymentDataLogEntry", entry.items[0], entry.items[1:]))


@response("ECS21a")
@named
def import_daily_read_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    buffers = log_buffers(ctx, 1)
    if buffers is None:
        return
    for row in (Consumption.of(ctx, r) for r in entries(ctx, buffers[0], 31)):
        electricity = M.Electricity(M.ElecActiveImportRegisterConsumption(integer(row.registers[0])))
        if len(row.registers) > 1:
            electricity.append(M.SecondaryActiveImportRegisterConsumption(integer(row.registers[1])))
        electricity.extend(indexed("SecondaryTariffTOURegisterMatrixValue", row.secondary_tou))
        electricity.extend(indexed("TariffTOURegisterMatrixValue", row.tou))
        electricity.extend(row.block_elements())
        rsp.append(M.LogEntry(M.Timestamp(timestamp(row.stamp)), electricity))


@response("ECS21b")
@named
def prepayment_daily_read_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    electricity = M.Electricity()
    rsp.append(electricity)
    buffers = log_buffers(ctx, 1)
    if buffers is None:
        return
    for row in entries(ctx, buffers[0], 31):
        electricity.append(prepayment_entry(ctx, "LogEntry", row.items[0], row.items[1:]))


@response("ECS22b")
@named
def active_import_profile_data(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Half-hourly active import (primary and, twin element, secondary)."""
    buffers = log_buffers(ctx, 1)
    if buffers is None:
        return
    for row in entries(ctx, buffers[0], 19056):
        stamp, *values = row.items
        _expect(ctx, len(values) <= 2, "a profile data entry must be timestamp, primary [, secondary]")
        electricity = M.Electricity(*(M(name, integer(v)) for name, v in zip(("PrimaryValue", "SecondaryValue"),
                                                                              values)))
        rsp.append(M.LogEntry(M.Timestamp(timestamp(stamp)), electricity))


@response("ECS66")
@named
def daily_consumption_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    electricity = M.Electricity()
    rsp.append(electricity)
    buffers = log_buffers(ctx, 1)
    if buffers is None:
        return
    for row in entries(ctx, buffers[0], 731):
        _expect(ctx, len(row.items) == 2, "a daily consumption log entry must be timestamp, consumption")
        electricity.append(M.LogEntry(M.Value(integer(row.items[1])), M.Timestamp(timestamp(row.items[0]))))


# ECS68, the ESME Critical Sensitive Alert of 0x8F0A Billing Data Log Updated (RTDS NA_ECS68; gbcs-parser
# parseDlmsBillingDataLogAlert): a data-notification of the alert code, its time, the protection parameters
# (transaction id 04 || the alert's originator counter, from the device to the supplier) and the billing data
# log entry sealed for the supplier as protected attributes are, a compact-array of that one entry.

@response("ECS68")
@named
def billing_data_log_updated(ctx: ResponseContext, payload: etree._Element) -> None:
    value = ctx.payload.value
    body = value.body if isinstance(value, dlms.DataNotification) else None
    if body is None or body.tag is not Tag.STRUCTURE or len(body.items) != 4 \
            or body.items[3].tag is not Tag.OCTET_STRING:
        raise PayloadError("ECS68: expected a data-notification of the alert code, its time, protection parameters "
                           "and the protected billing data log entry", 0)
    parameters, protected = body.items[2:]
    values = unsealed(ctx, protected.octets, axdr.structure(parameters, protected), "billing data log entry")
    if values is None:
        return
    _expect(ctx, len(values) == 1, f"expected one billing data log, found {len(values)}")
    logged = entries(ctx, values[0], 1)
    if logged:
        payload.append(M.BillingDataLogDeviceAlert(billing_data_log_entry(Consumption.of(ctx, logged[0]))))


# -- Device side ----------------------------------------------------------------------------------------
# The device answers get_protected_attributes as the RTDS shows: the command's protection parameters back
# (same transaction id, other and key information) from the device to the command's originator, then the
# protected attributes: security header 31, a zero invocation counter and the values sealed end to end by
# `DeviceCommand.encrypt` (ciphertext || tag, for the party crypto.encryption_key names). The values are
# written as the RTDS writes them (and the Parse reads them): registers double-long-unsigned with scaler 0,
# money double-long, log time stamps double-long-unsigned seconds since 2000, logs compact-arrays.

INVOCATION_COUNTER = bytes(4)
TOU_REGISTERS, BLOCKS, BLOCK_REGISTERS = 48, 4, 8          # an ESME's TOU matrix and block matrices
_TYPE_ONLY = "2000-01-01T00:00:00Z"        # the time stamp of an all-zero entry that types an empty log


def rows(values: Mapping[str, str], path: str) -> list[dict[str, str]]:
    """The occurrences of a repeated MMC element in mmc.values names ('<path>[i]/<leaf>', or '<path>/<leaf>'
    when there is only one), each as its leaves by the path below it ('' for its own text, '@index' ...)."""
    found: dict[int, dict[str, str]] = {}
    pattern = re.compile(re.escape(path) + r"(?:\[(\d+)\])?(?:/(.+)|(@.+))?")
    for key, value in values.items():
        match = pattern.fullmatch(key)
        if match:
            found.setdefault(int(match.group(1) or 1), {})[match.group(2) or match.group(3) or ""] = value
    return [found[i] for i in sorted(found)]


def indexed_values(values: Mapping[str, str], name: str) -> list[int]:
    """A register list MMC writes as repeated '<name> index="i"' elements, in order."""
    return [int(row[""]) for row in rows(values, name)]


def _protected_read(command: DeviceCommand) -> tuple[Data, Data]:
    """The objects the command reads and its protection parameters, checked against the use case's."""
    read = READS[command.use_case]
    actions = device.action_values(command)
    expected = (DATA_PROTECTION, read.protection.raw, GET_PROTECTED_ATTRIBUTES)
    if len(actions) != 1 or (actions[0][0].class_id, actions[0][0].instance.raw, actions[0][0].member) != expected:
        raise PayloadError(f"{command.use_case}: the command must be one get_protected_attributes of "
                           f"{read.protection}", 0)
    parameters = actions[0][1]
    if parameters.tag is not Tag.STRUCTURE or len(parameters.items) != 2:
        raise PayloadError(f"{command.use_case}: get_protected_attributes parameters must be the objects read and "
                           f"the protection parameters", 0)
    objects, protection = parameters.items
    named = tuple((o.items[0].int, o.items[1].octets) for o in objects.items)
    if named != tuple((class_id, obis.raw) for class_id, obis in read.objects):
        raise PayloadError(f"{command.use_case}: the command reads {[(c, str(Obis(o))) for c, o in named]}, not "
                           f"{[(c, str(o)) for c, o in read.objects]}", 0)
    return objects, protection


def _read_log_period(command: DeviceCommand, objects: Data) -> dict[str, str]:
    """A log read's range (the selective access of the first object read) as sr:ReadLogPeriod."""
    access = objects.items[0].items[4]
    if access.tag is not Tag.STRUCTURE or access.items[0].int != RANGE_SELECTOR:
        raise PayloadError(f"{command.use_case}: a log read must select a range (selector {RANGE_SELECTOR})", 0)
    bounds = [dlms.DlmsDateTime(bound.octets).datetime for bound in access.items[1].items[:2]]
    start, end = bounds if len(bounds) == 2 else (None, None)
    if start is None or end is None:
        raise PayloadError(f"{command.use_case}: the range's bounds must be two specified date-times", 0)
    return {"ReadLogPeriod/StartDateTime": utc_text(start), "ReadLogPeriod/EndDateTime": utc_text(end)}


@accepts(*READS)
def protected_read_command(command: DeviceCommand) -> dict:
    objects, _ = _protected_read(command)
    return _read_log_period(command, objects) if READS[command.use_case].ranged else {}


def _answer_parameters(command: DeviceCommand) -> Data:
    """The command's protection parameters as the device returns them: from itself to the command's originator."""
    _, protection = _protected_read(command)
    kind, parameters = protection.items[0].items
    transaction, _user, _device, other, key_information = parameters.items
    return axdr.array(axdr.structure(kind, axdr.structure(
        transaction, axdr.octet_string(bytes(command.apdu.recipient)),
        axdr.octet_string(bytes(command.apdu.originator)), other, key_information)))


def _stamp(text: str) -> Data:
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return axdr.double_long_unsigned(gbz.gbz_seconds(when))


def _registers(values: Mapping[str, str], name: str) -> Data:
    return axdr.array(*(axdr.double_long_unsigned(v) for v in indexed_values(values, name)))


def _describe(value: Data) -> axdr.TypeDescription:
    if value.tag is Tag.ARRAY:          # registers: an empty matrix is still of double-long-unsigned
        element = _describe(value.items[0]) if value.items else axdr.TypeDescription(Tag.DOUBLE_LONG_UNSIGNED)
        return axdr.TypeDescription(Tag.ARRAY, len(value.items), (element,))
    if value.tag is Tag.STRUCTURE:
        return axdr.TypeDescription(Tag.STRUCTURE, 0, tuple(_describe(item) for item in value.items))
    return axdr.TypeDescription(value.tag)


def compact_array(entries: list[Data], empty: Data) -> Data:
    """A log buffer as the RTDS sends it: a compact-array of its entries (typed as `empty` when there are none)."""
    return Data(Tag.COMPACT_ARRAY, (_describe(entries[0] if entries else empty), tuple(entries)))


def _single_element_entry(register: str) -> dict[str, str]:
    """An all-zero consumption capture of a single element meter (the type of an empty log's compact-array)."""
    entry = {"Timestamp": _TYPE_ONLY, register: "0"}
    entry.update({f"TariffTOURegisterMatrixValue[{i}]": "0" for i in range(1, TOU_REGISTERS + 1)})
    for n in range(1, BLOCKS + 1):
        entry.update({f"TariffTOUBlock{n}RegisterMatrixValue[{i}]": "0" for i in range(1, BLOCK_REGISTERS + 1)})
    return entry


def _consumption(entry: Mapping[str, str], prefix: str, register: str, secondary: str) -> list[Data]:
    """Active import [, secondary], TOU matrix [, secondary TOU], the block matrices: a consumption capture."""
    out = [axdr.double_long_unsigned(int(entry[f"{prefix}{register}"]))]
    if f"{prefix}{secondary}" in entry:
        out.append(axdr.double_long_unsigned(int(entry[f"{prefix}{secondary}"])))
    out.append(_registers(entry, f"{prefix}TariffTOURegisterMatrixValue"))
    if rows(entry, f"{prefix}SecondaryTariffTOURegisterMatrixValue"):
        out.append(_registers(entry, f"{prefix}SecondaryTariffTOURegisterMatrixValue"))
    out.extend(_registers(entry, f"{prefix}TariffTOUBlock{n}RegisterMatrixValue") for n in range(1, BLOCKS + 1)
               if rows(entry, f"{prefix}TariffTOUBlock{n}RegisterMatrixValue"))
    return out


def _prepayment(entry: Mapping[str, str]) -> list[Data]:
    return [axdr.double_long(int(entry.get(name, "0"))) for name in PREPAYMENT_CAPTURE]


def _import_registers(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    e = "Electricity/"
    items = [axdr.double_long_unsigned(int(outcome[f"{e}ActiveImportRegister/Value"])),
             axdr.structure(axdr.integer(0), axdr.enum(MMC_UNITS["ActiveEnergyUnit"])),
             axdr.double_long_unsigned(int(outcome[f"{e}ReactiveImportRegister/Value"])),
             axdr.structure(axdr.integer(0), axdr.enum(MMC_UNITS["ReactiveEnergyUnit"]))]
    if f"{e}SecondaryActiveImportRegister/Value" in outcome:
        items.append(axdr.double_long_unsigned(int(outcome[f"{e}SecondaryActiveImportRegister/Value"])))
    return (axdr.structure(*items),)


def _tou_matrices(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    collection = "Electricity/TariffTOURegisterCollection/"
    matrices = [_registers(outcome, f"{collection}TOUPrimaryRegisterValue")]
    if rows(outcome, f"{collection}TOUSecondRegisterValue"):
        matrices.append(_registers(outcome, f"{collection}TOUSecondRegisterValue"))
    return (axdr.structure(*matrices),)


def _prepay_values(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    return (axdr.structure(*(axdr.double_long(int(outcome[name])) for name in PREPAY_VALUES)),)


def _change_billing_data_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    """ECS20b: each entry's consumption capture followed by its prepayment data (MMC lists them apart)."""
    consumption = rows(outcome, "Electricity/LogEntryConsumptionAndTariffRegistersData")
    prepayment = rows(outcome, "Electricity/LogEntryPrepaymentData")

    def entry(registers: Mapping[str, str], money: Mapping[str, str] | None) -> Data:
        return axdr.structure(_stamp(registers["Timestamp"]), *_consumption(
            registers, "", "ActiveImportRegisterConsumption", "SecondaryActiveImportRegisterConsumption"),
            *(_prepayment(money) if money is not None else ()))
    if prepayment and len(prepayment) != len(consumption):
        raise PayloadError(f"ECS20b: {len(consumption)} consumption entries, {len(prepayment)} of prepayment data", 0)
    empty = entry(_single_element_entry("ActiveImportRegisterConsumption"), {})
    money: list[Mapping[str, str] | None] = list(prepayment) if prepayment else [None] * len(consumption)
    return (compact_array([entry(c, p) for c, p in zip(consumption, money)], empty),)


def _calendar_billing_data_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    """ECS20c: the consumption captures, then the prepayment data log."""
    def consumption(entry: Mapping[str, str]) -> Data:
        return axdr.structure(_stamp(entry["Timestamp"]), *_consumption(
            entry, "", "ActiveImportRegisterValueConsumption", "SecondaryActiveImportRegisterValueConsumption"))

    def prepayment(entry: Mapping[str, str]) -> Data:
        return axdr.structure(_stamp(entry["Timestamp"]), *_prepayment(entry))
    empty = _single_element_entry("ActiveImportRegisterValueConsumption")
    return (compact_array([consumption(e) for e in rows(outcome, "Electricity/ESMEBillingDataLogEntry")],
                          consumption(empty)),
            compact_array([prepayment(e) for e in rows(outcome, "Electricity/ESMEBillingPrepaymentDataLogEntry")],
                          prepayment({"Timestamp": empty["Timestamp"]})))


def _daily_read_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    def entry(values: Mapping[str, str]) -> Data:
        return axdr.structure(_stamp(values["Timestamp"]), *_consumption(
            values, "Electricity/", "ElecActiveImportRegisterConsumption", "SecondaryActiveImportRegisterConsumption"))
    empty = {"Timestamp": _TYPE_ONLY, **{f"Electricity/{k}": v for k, v in _single_element_entry(
        "ElecActiveImportRegisterConsumption").items()}}
    return (compact_array([entry(e) for e in rows(outcome, "LogEntry")], entry(empty)),)


def _prepayment_daily_read_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    def entry(values: Mapping[str, str]) -> Data:
        return axdr.structure(_stamp(values["Timestamp"]), *_prepayment(values))
    return (compact_array([entry(e) for e in rows(outcome, "Electricity/LogEntry")],
                          entry({"Timestamp": _TYPE_ONLY})),)


def _profile_data_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    def entry(values: Mapping[str, str]) -> Data:
        readings = [values[f"Electricity/{name}"] for name in ("PrimaryValue", "SecondaryValue")
                    if f"Electricity/{name}" in values]
        return axdr.structure(_stamp(values["Timestamp"]), *(axdr.double_long_unsigned(int(v)) for v in readings))
    return (compact_array([entry(e) for e in rows(outcome, "LogEntry")],
                          entry({"Timestamp": _TYPE_ONLY, "Electricity/PrimaryValue": "0"})),)


def _daily_consumption_log(outcome: Mapping[str, str]) -> tuple[Data, ...]:
    def entry(values: Mapping[str, str]) -> Data:
        return axdr.structure(_stamp(values["Timestamp"]), axdr.double_long_unsigned(int(values["Value"])))
    return (compact_array([entry(e) for e in rows(outcome, "Electricity/LogEntry")],
                          entry({"Timestamp": _TYPE_ONLY, "Value": "0"})),)


# What each use case's protected attributes hold, from the outcome in its MMC response's names.
PROTECTED_VALUES: dict[str, Callable[[Mapping[str, str]], tuple[Data, ...]]] = {
    "ECS17b": _import_registers, "ECS17d": _tou_matrices, "ECS19": _prepay_values,
    "ECS20b": _change_billing_data_log, "ECS20c": _calendar_billing_data_log, "ECS21a": _daily_read_log,
    "ECS21b": _prepayment_daily_read_log, "ECS22b": _profile_data_log, "ECS66": _daily_consumption_log,
}


@answers(*READS)
def protected_attributes_answer(command: DeviceCommand, outcome: dict) -> bytes:
    if not device.succeeded(outcome):
        return device.dlms_answer(command, outcome)
    if command.encrypt is None:
        raise PayloadError(f"{command.use_case}: the values are encrypted end to end for the User, and the device "
                           f"was given no encryption for this command (DeviceCommand.encrypt is None)", 0)
    plaintext = axdr.structure(*PROTECTED_VALUES[command.use_case](outcome)).encode()
    protected = bytes((SECURITY_CONTROL,)) + INVOCATION_COUNTER + command.encrypt(plaintext)
    answer = axdr.structure(_answer_parameters(command), axdr.octet_string(protected))
    return dlms.AccessResponse(device.access_request(command).invoke_id, (answer,),
                               (dlms.ResponseSpec(RequestKind.ACTION, dlms.AccessResult.SUCCESS),)).encode()


# -- Device side: ECS68, the billing data log entry pushed as alert 0x8F0A ------------------------------------
# As the RTDS alert has it: a data-notification (invoke id from the alert's originator counter, no date-time) of
# the alert code, when it was raised, the protection parameters from the meter to the supplier under the alert's
# counter, and the entry sealed as protected attributes are (security header 31, a zero invocation counter,
# ciphertext || tag under the GBCS encryption key of the alert's header: the meter, its counter, the supplier).

Seal = Callable[[int, bytes], bytes]        # (the alert's originator counter, plaintext) -> ciphertext || tag


def billing_data_log_alert(code: int, entry: Mapping[str, str], meter: EntityId, supplier: EntityId,
                           seal: Seal) -> device.AlertPayload:
    """The ECS68 payload of one billing data log entry, given in the names MMC gives an ESMEBillingDataLogEntry
    (Timestamp, ActiveImportRegisterValueConsumption, TariffTOURegisterMatrixValue[i] ...)."""
    capture = axdr.structure(_stamp(entry["Timestamp"]), *_consumption(
        entry, "", "ActiveImportRegisterValueConsumption", "SecondaryActiveImportRegisterValueConsumption"))
    plaintext = axdr.structure(compact_array([capture], capture)).encode()

    def build(counter: int, when: dt.datetime) -> bytes:
        protected = bytes((SECURITY_CONTROL,)) + INVOCATION_COUNTER + seal(counter, plaintext)
        body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(device.alert_date_time(when)),
                              protection_parameters(counter, meter, supplier), axdr.octet_string(protected))
        return dlms.DataNotification(dlms.invoke_id(counter), body).encode()
    return build
