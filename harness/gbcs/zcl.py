"""ZCL frames of the Smart Energy clusters GBCS uses, decoded to typed fields and encoded back.

A frame is  <frame control> <sequence number> <command id> <payload>  (no manufacturer code in GBCS).
Frame control bits: 0-1 frame type (0 profile-wide, 1 cluster-specific), 3 direction (1 = server to
client), 4 disable default response. Payload fields are little-endian ZCL types; times are UTCTime
(seconds since 2000-01-01), dates are ZCL Date (year - 1900, month, day, weekday; FF = any).

The schemas below are facts of ZigBee SE 1.4 as GBCS profiles them (GBCS tables 7.x), keyed by
(cluster, cluster-specific, direction, command). A Field's type says how the value is written;
`Repeat` is a list of entries, counted by an earlier field or running to the end of the payload;
`Switch` picks the rest of the payload by an earlier field's value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import SupportsIndex, SupportsInt

from harness.gbcs.axdr import PayloadError

FRAME_CLUSTER_SPECIFIC = 0x01
FRAME_SERVER_TO_CLIENT = 0x08


@dataclass(frozen=True, slots=True)
class ZclType:
    name: str
    size: int                # bytes; 0 for length-prefixed strings
    kind: str                # uint | int | enum | bitmap | utc | date | octets | bool | time
    names: tuple = field(default=(), compare=False)    # an enum's (value, meaning) pairs, for views

    def decode(self, data: bytes, pos: int, end: int, what: str) -> tuple[object, int]:
        if self.size == 0:
            if pos >= end:
                raise PayloadError(f"truncated {what}: expected a string length", pos)
            length = data[pos]
            if length == 0xFF:        # ZCL 'invalid' string
                return None, pos + 1
            if pos + 1 + length > end:
                raise PayloadError(f"truncated {what}: string of {length} bytes, {end - pos - 1} left", pos)
            return bytes(data[pos + 1:pos + 1 + length]), pos + 1 + length
        if pos + self.size > end:
            raise PayloadError(f"truncated {what}: {self.name} needs {self.size} bytes, {end - pos} left", pos)
        raw = data[pos:pos + self.size]
        if self.kind == "date":
            return bytes(raw), pos + 4
        return int.from_bytes(raw, "little", signed=self.kind == "int"), pos + self.size

    def encode(self, value: object, what: str = "") -> bytes:
        if self.size == 0:
            if value is None:
                return b"\xff"
            raw = value.encode("latin-1") if isinstance(value, str) else self._bytes(value, what)
            if len(raw) > 254:
                raise PayloadError(f"{what}: ZCL string longer than 254 bytes", 0)
            return bytes((len(raw),)) + raw
        if self.kind == "date":
            return self._bytes(value, what)
        try:
            # an int first: isinstance with a typing Protocol walks the protocol's members in Python (about 5 us; a
            # default run encodes 44,000 ZCL integers)
            if type(value) is not int and not isinstance(value, (SupportsInt, str)):
                raise TypeError
            return int(value).to_bytes(self.size, "little", signed=self.kind == "int")
        except (OverflowError, TypeError, ValueError):
            raise PayloadError(f"{what}: {value!r} is not a {self.name}", 0) from None

    def _bytes(self, value: object, what: str) -> bytes:
        if type(value) is not bytes and not isinstance(value, (SupportsIndex, Iterable)):   # what bytes() accepts
            raise PayloadError(f"{what}: {value!r} is not a {self.name}", 0)
        return bytes(value)


def _t(name: str, size: int, kind: str) -> ZclType:
    return ZclType(name, size, kind)


U8, U16, U24, U32, U48 = (_t("uint8", 1, "uint"), _t("uint16", 2, "uint"), _t("uint24", 3, "uint"),
                          _t("uint32", 4, "uint"), _t("uint48", 6, "uint"))
S8, S16, S24, S32, S48 = (_t("int8", 1, "int"), _t("int16", 2, "int"), _t("int24", 3, "int"),
                          _t("int32", 4, "int"), _t("int48", 6, "int"))
E8, E16 = _t("enum8", 1, "enum"), _t("enum16", 2, "enum")
B8, B16, B24, B32 = (_t("map8", 1, "bitmap"), _t("map16", 2, "bitmap"), _t("map24", 3, "bitmap"),
                     _t("map32", 4, "bitmap"))
UTC = _t("UTCTime", 4, "utc")
DATE = _t("date", 4, "date")
OCTETS = _t("octstr", 0, "octets")
STRING = _t("string", 0, "octets")
BOOL = _t("bool", 1, "bool")

# Attribute data type identifiers (ZCL table 2-10) GBCS uses in read/write attribute frames.
DATA_TYPES: dict[int, ZclType] = {
    0x10: BOOL, 0x18: B8, 0x19: B16, 0x1A: B24, 0x1B: B32,
    0x20: U8, 0x21: U16, 0x22: U24, 0x23: U32, 0x25: U48,
    0x28: S8, 0x29: S16, 0x2A: S24, 0x2B: S32, 0x2D: S48,
    0x30: E8, 0x31: E16, 0x41: OCTETS, 0x42: STRING, 0xE2: UTC,
}
TYPE_IDS = {t: i for i, t in DATA_TYPES.items()}


def enum8(*names: str, **sparse: int) -> ZclType:
    """An enum8 whose values mean something: names of 0, 1, 2 ... and `sparse` meaning=value pairs."""
    pairs = tuple(enumerate(names)) + tuple((v, k.replace("_", " ")) for k, v in sparse.items())
    return ZclType("enum8", 1, "enum", pairs)


# Prepayment and Calendar enumerations (ZSE 1.4, as GBCS uses them).
ORIGINATING_DEVICE = enum8("energy service interface", "meter", "in-home display")
CREDIT_ADJUSTMENT_TYPE = enum8("credit incremental", "credit absolute", "credit mode balance absolute",
                               "credit mode balance incremental")
DEBT_RECOVERY_METHOD = enum8("time based", "percentage based", "catch-up based")
DEBT_AMOUNT_TYPE = enum8("type 1 absolute", "type 1 incremental", "type 2 absolute", "type 2 incremental",
                         "type 3 absolute", "type 3 incremental")
RECOVERY_FREQUENCY = enum8("per hour", "per day", "per week", "per month", "per quarter")
TOP_UP_RESULT = enum8("accepted", "rejected - invalid top up", "rejected - duplicate top up", "rejected - error",
                      "rejected - max credit reached", "rejected - keypad lock", "rejected - top up value too large",
                      accepted_supply_enabled=0x10, accepted_supply_disabled=0x11, accepted_supply_armed=0x12)
CALENDAR_TYPE = enum8("delivered", "received", "delivered and received", "friendly credit", "auxiliary load switch")
UNIT_OF_MEASURE = enum8("kWh", "m3", "ft3", "ccf", "US gal", "IMP gal", "BTU", "litres", "kPa gauge", "kPa absolute",
                        "mcf", "unitless", "MJ", "kVar")


@dataclass(frozen=True)
class Repeat:
    """A list of entries: `count` names an earlier field holding how many (in the bits of `count_mask`:
    a 'tier and number' bitmap keeps the number in its low nibble), else to the payload's end."""

    name: str
    fields: tuple
    count: str | None = None
    count_mask: int = 0xFFFF


@dataclass(frozen=True)
class Switch:
    """The rest of the payload, chosen by the value of an earlier field."""

    on: str
    cases: dict


def F(name: str, kind: ZclType) -> tuple[str, ZclType]:
    return (name, kind)


# -- general (profile-wide) commands -------------------------------------------------------------------

READ_ATTRIBUTES = 0x00
READ_ATTRIBUTES_RESPONSE = 0x01
WRITE_ATTRIBUTES = 0x02
WRITE_ATTRIBUTES_RESPONSE = 0x04
REPORT_ATTRIBUTES = 0x0A        # records as Write Attributes's: identifier, type, value
DEFAULT_RESPONSE = 0x0B

GENERAL_NAMES = {READ_ATTRIBUTES: "Read Attributes", READ_ATTRIBUTES_RESPONSE: "Read Attributes Response",
                 WRITE_ATTRIBUTES: "Write Attributes", WRITE_ATTRIBUTES_RESPONSE: "Write Attributes Response",
                 REPORT_ATTRIBUTES: "Report Attributes", DEFAULT_RESPONSE: "Default Response"}

STATUS = {0x00: "SUCCESS", 0x01: "FAILURE", 0x7E: "NOT_AUTHORIZED", 0x80: "MALFORMED_COMMAND",
          0x81: "UNSUP_CLUSTER_COMMAND", 0x85: "INVALID_FIELD", 0x86: "UNSUPPORTED_ATTRIBUTE",
          0x87: "INVALID_VALUE", 0x88: "READ_ONLY", 0x89: "INSUFFICIENT_SPACE", 0x8B: "NOT_FOUND",
          0x8D: "INVALID_DATA_TYPE", 0x8F: "WRITE_ONLY", 0xC0: "NOTIFICATION_PENDING", 0xC1: "NOTIFICATION_FAILURE",
          0xC2: "NOTIFICATION_NOT_RECOGNISED"}

CLUSTERS = {0x0000: "Basic", 0x0700: "Price", 0x0702: "Metering", 0x0703: "Messaging", 0x0705: "Prepayment",
            0x0707: "Calendar", 0x0708: "Device Management", 0x0709: "Events"}

# -- cluster-specific commands: (cluster, server-to-client, command id) -> (name, schema) ---------------

_PROVIDER = F("provider_id", U32)
_ISSUER_EVENT = F("issuer_event_id", U32)
_CALENDAR_ID = F("issuer_calendar_id", U32)
_INDEX = (F("command_index", U8), F("number_of_commands", U8))

_SNAPSHOT_HEADER = (F("snapshot_id", U32), F("snapshot_time", UTC), F("snapshots_found", U8),
                    *_INDEX, F("snapshot_cause", B32), F("snapshot_payload_type", E8))

# Snapshot sub-payloads by snapshot payload type, as GSME/GPF send them (GBCS GCS15b/c, GCS16a/b):
# Metering type 6 'block tier information set delivered (no billing)', Prepayment type 0 'debt/credit
# status'. The block register count is the lower nibble of 'tiers and block thresholds in use' (0x14).
_U48_LIST = (F("summation", U48),)
_METERING_SNAPSHOTS = {
    6: (F("current_summation_delivered", U48), F("number_of_tiers_in_use", U8),
        Repeat("tier_summations", _U48_LIST, count="number_of_tiers_in_use"),
        F("tier_and_block_thresholds_in_use", B8),
        Repeat("block_summations", _U48_LIST, count="tier_and_block_thresholds_in_use", count_mask=0x0F)),
}
_PREPAY_SNAPSHOTS = {
    0: (F("accumulated_debt", S32), F("type1_debt_remaining", U32), F("type2_debt_remaining", U32),
        F("type3_debt_remaining", U32), F("emergency_credit_remaining", S32), F("credit_remaining", S32)),
}

COMMANDS: dict[tuple[int, bool, int], tuple[str, tuple]] = {
    # Price (0x0700): the remote party publishes, the meter answers with a default response
    (0x0700, False, 0x00): ("Get Current Price", (F("command_options", B8),)),
    (0x0700, True, 0x00): ("Publish Price", (
        _PROVIDER, F("rate_label", OCTETS), _ISSUER_EVENT, F("current_time", UTC), F("unit_of_measure", E8),
        F("currency", U16), F("price_trailing_digit_and_tier", B8), F("number_of_tiers_and_register_tier", B8),
        F("start_time", UTC), F("duration_in_minutes", U16), F("price", U32), F("price_ratio", U8),
        F("generation_price", U32), F("generation_price_ratio", U8), F("alternate_cost_delivered", U32),
        F("alternate_cost_unit", E8), F("alternate_cost_trailing_digit", B8), F("number_of_block_thresholds", U8),
        F("price_control", B8))),
    (0x0700, True, 0x01): ("Publish Block Period", (
        _PROVIDER, _ISSUER_EVENT, F("block_period_start_time", UTC), F("block_period_duration", U24),
        F("block_period_control", B8), F("block_period_duration_type", B8), F("tariff_type", B8),
        F("tariff_resolution_period", E8))),
    (0x0700, True, 0x02): ("Publish Conversion Factor", (
        _ISSUER_EVENT, F("start_time", UTC), F("conversion_factor", U32), F("conversion_factor_trailing_digit", B8))),
    (0x0700, True, 0x03): ("Publish Calorific Value", (
        _ISSUER_EVENT, F("start_time", UTC), F("calorific_value", U32), F("calorific_value_unit", E8),
        F("calorific_value_trailing_digit", B8))),
    (0x0700, True, 0x04): ("Publish Tariff Information", (
        _PROVIDER, _ISSUER_EVENT, F("issuer_tariff_id", U32), F("start_time", UTC), F("tariff_type", B8),
        F("tariff_label", OCTETS), F("number_of_price_tiers_in_use", U8), F("number_of_block_thresholds_in_use", U8),
        F("unit_of_measure", UNIT_OF_MEASURE), F("currency", U16), F("price_trailing_digit", B8),
        F("standing_charge", U32),
        F("tier_block_mode", U8), F("block_threshold_multiplier", U24), F("block_threshold_divisor", U24))),
    (0x0700, True, 0x05): ("Publish Price Matrix", (
        _PROVIDER, _ISSUER_EVENT, F("start_time", UTC), F("issuer_tariff_id", U32), *_INDEX,
        F("sub_payload_control", B8), Repeat("prices", (F("tier_block_id", U8), F("price", U32))))),
    (0x0700, True, 0x06): ("Publish Block Thresholds", (
        _PROVIDER, _ISSUER_EVENT, F("start_time", UTC), F("issuer_tariff_id", U32), *_INDEX,
        F("sub_payload_control", B8),
        Repeat("tiers", (F("tier_and_number_of_thresholds", B8),
                         Repeat("thresholds", (F("threshold", U48),), count="tier_and_number_of_thresholds",
                                count_mask=0x0F))))),
    (0x0700, False, 0x0B): ("Get Billing Period", (
        F("earliest_start_time", UTC), F("min_issuer_event_id", U32), F("number_of_commands", U8),
        F("tariff_type", B8))),
    (0x0700, True, 0x09): ("Publish Billing Period", (
        _PROVIDER, _ISSUER_EVENT, F("billing_period_start_time", UTC), F("billing_period_duration", U24),
        F("billing_period_duration_type", B8), F("tariff_type", B8))),
    # Metering (0x0702)
    (0x0702, False, 0x06): ("Get Snapshot", (
        F("earliest_start_time", UTC), F("latest_end_time", UTC), F("snapshot_offset", U8),
        F("snapshot_cause", B32))),
    (0x0702, True, 0x06): ("Publish Snapshot", (*_SNAPSHOT_HEADER,
                                                Switch("snapshot_payload_type", _METERING_SNAPSHOTS))),
    (0x0702, False, 0x07): ("Start Sampling", (
        _ISSUER_EVENT, F("start_sampling_time", UTC), F("sample_type", E8), F("sample_request_interval", U16),
        F("max_number_of_samples", U16))),
    (0x0702, False, 0x08): ("Get Sampled Data", (
        F("sample_id", U16), F("earliest_sample_time", UTC), F("sample_type", E8), F("number_of_samples", U16))),
    (0x0702, True, 0x07): ("Get Sampled Data Response", (
        F("sample_id", U16), F("sample_start_time", UTC), F("sample_type", E8), F("sample_request_interval", U16),
        F("number_of_samples", U16), Repeat("samples", (F("sample", U24),), count="number_of_samples"))),
    (0x0702, False, 0x0B): ("Change Supply", (
        _PROVIDER, _ISSUER_EVENT, F("request_date_time", UTC), F("implementation_date_time", UTC),
        F("proposed_supply_status", E8), F("supply_control_bits", B8))),
    (0x0702, True, 0x0C): ("Supply Status Response", (
        _PROVIDER, _ISSUER_EVENT, F("implementation_date_time", UTC), F("supply_status", E8))),
    (0x0702, False, 0x0D): ("Set Supply Status", (
        _ISSUER_EVENT, F("supply_tamper_state", E8), F("supply_depletion_state", E8),
        F("supply_uncontrolled_flow_state", E8), F("load_limit_supply_state", E8))),
    (0x0702, False, 0x0E): ("Set Uncontrolled Flow Threshold", (
        _PROVIDER, _ISSUER_EVENT, F("uncontrolled_flow_threshold", U16), F("unit_of_measure", E8),
        F("multiplier", U16), F("divisor", U16), F("stabilisation_period", U8), F("measurement_period", U16))),
    # Messaging (0x0703)
    (0x0703, True, 0x00): ("Display Message", (
        F("message_id", U32), F("message_control", B8), F("start_time", UTC), F("duration_in_minutes", U16),
        F("message", STRING), F("extended_message_control", B8))),
    # Prepayment (0x0705)
    (0x0705, False, 0x00): ("Select Available Emergency Credit", (
        F("command_issue_date_time", UTC), F("originating_device", E8))),
    (0x0705, False, 0x02): ("Change Debt", (
        _ISSUER_EVENT, F("debt_label", OCTETS), F("debt_amount", S32), F("debt_recovery_method", DEBT_RECOVERY_METHOD),
        F("debt_amount_type", DEBT_AMOUNT_TYPE), F("debt_recovery_start_time", UTC),
        F("debt_recovery_collection_time", U16), F("debt_recovery_frequency", RECOVERY_FREQUENCY),
        F("debt_recovery_amount", S32),
        F("debt_recovery_balance_percentage", U16))),
    (0x0705, False, 0x03): ("Emergency Credit Setup", (
        _ISSUER_EVENT, F("start_time", UTC), F("emergency_credit_limit", U32),
        F("emergency_credit_threshold", U32))),
    (0x0705, False, 0x04): ("Consumer Top Up", (F("originating_device", ORIGINATING_DEVICE), F("top_up_code", OCTETS))),
    (0x0705, False, 0x05): ("Credit Adjustment", (
        _ISSUER_EVENT, F("start_time", UTC), F("credit_adjustment_type", CREDIT_ADJUSTMENT_TYPE),
        F("credit_adjustment_value", S32))),
    (0x0705, False, 0x06): ("Change Payment Mode", (
        _PROVIDER, _ISSUER_EVENT, F("implementation_date_time", UTC),
        F("proposed_payment_control_configuration", B16), F("cut_off_value", S32))),
    (0x0705, False, 0x07): ("Get Prepay Snapshot", (
        F("earliest_start_time", UTC), F("latest_end_time", UTC), F("snapshot_offset", U8),
        F("snapshot_cause", B32))),
    (0x0705, False, 0x08): ("Get Top Up Log", (F("latest_end_time", UTC), F("number_of_records", U8))),
    (0x0705, False, 0x09): ("Set Low Credit Warning Level", (F("low_credit_warning_level", U32),)),
    (0x0705, False, 0x0A): ("Get Debt Repayment Log", (
        F("latest_end_time", UTC), F("number_of_debts", U8), F("debt_type", E8))),
    (0x0705, False, 0x0B): ("Set Maximum Credit Limit", (
        _PROVIDER, _ISSUER_EVENT, F("implementation_date_time", UTC), F("maximum_credit_level", U32),
        F("maximum_credit_per_top_up", U32))),
    (0x0705, False, 0x0C): ("Set Overall Debt Cap", (
        _PROVIDER, _ISSUER_EVENT, F("implementation_date_time", UTC), F("overall_debt_cap", S32))),
    (0x0705, True, 0x01): ("Publish Prepay Snapshot", (*_SNAPSHOT_HEADER,
                                                       Switch("snapshot_payload_type", _PREPAY_SNAPSHOTS))),
    (0x0705, True, 0x02): ("Change Payment Mode Response", (
        F("friendly_credit", B8), F("friendly_credit_calendar_id", U32), F("emergency_credit_limit", U32),
        F("emergency_credit_threshold", U32))),
    (0x0705, True, 0x03): ("Consumer Top Up Response", (
        F("result_type", TOP_UP_RESULT), F("top_up_value", S32), F("source_of_top_up", ORIGINATING_DEVICE),
        F("credit_remaining", S32))),
    (0x0705, True, 0x05): ("Publish Top Up Log", (
        *_INDEX, Repeat("top_ups", (F("top_up_code", OCTETS), F("top_up_amount", S32), F("top_up_time", UTC))))),
    (0x0705, True, 0x06): ("Publish Debt Log", (
        *_INDEX, Repeat("debts", (F("collection_time", UTC), F("amount_collected", U32), F("debt_type", E8),
                                  F("outstanding_debt", U32))))),
    # Calendar (0x0707)
    (0x0707, False, 0x00): ("Get Calendar", (
        F("earliest_start_time", UTC), F("min_issuer_event_id", U32), F("number_of_calendars", U8),
        F("calendar_type", CALENDAR_TYPE), _PROVIDER)),
    (0x0707, False, 0x01): ("Get Day Profiles", (_PROVIDER, _CALENDAR_ID, F("start_day_id", U8),
                                                 F("number_of_days", U8))),
    (0x0707, False, 0x02): ("Get Week Profiles", (_PROVIDER, _CALENDAR_ID, F("start_week_id", U8),
                                                  F("number_of_weeks", U8))),
    (0x0707, False, 0x03): ("Get Seasons", (_PROVIDER, _CALENDAR_ID)),
    (0x0707, False, 0x04): ("Get Special Days", (
        F("start_time", UTC), F("number_of_events", U8), F("calendar_type", CALENDAR_TYPE), _PROVIDER,
        _CALENDAR_ID)),
    (0x0707, True, 0x00): ("Publish Calendar", (
        _PROVIDER, _ISSUER_EVENT, _CALENDAR_ID, F("start_time", UTC), F("calendar_type", CALENDAR_TYPE),
        F("calendar_time_reference", B8), F("calendar_name", OCTETS), F("number_of_seasons", U8),
        F("number_of_week_profiles", U8), F("number_of_day_profiles", U8))),
    (0x0707, True, 0x01): ("Publish Day Profile", (
        _PROVIDER, _ISSUER_EVENT, _CALENDAR_ID, F("day_id", U8), F("total_number_of_schedule_entries", U8),
        *_INDEX, F("calendar_type", CALENDAR_TYPE),
        Repeat("schedule_entries", (F("start_time", U16), F("price_tier_or_function", U8))))),
    (0x0707, True, 0x02): ("Publish Week Profile", (
        _PROVIDER, _ISSUER_EVENT, _CALENDAR_ID, F("week_id", U8), F("monday", U8), F("tuesday", U8),
        F("wednesday", U8), F("thursday", U8), F("friday", U8), F("saturday", U8), F("sunday", U8))),
    (0x0707, True, 0x03): ("Publish Seasons", (
        _PROVIDER, _ISSUER_EVENT, _CALENDAR_ID, *_INDEX,
        Repeat("seasons", (F("season_start_date", DATE), F("week_id", U8))))),
    (0x0707, True, 0x04): ("Publish Special Days", (
        _PROVIDER, _ISSUER_EVENT, _CALENDAR_ID, F("start_time", UTC), F("calendar_type", CALENDAR_TYPE),
        F("total_number_of_special_days", U8), *_INDEX,
        Repeat("special_days", (F("special_day_date", DATE), F("day_id", U8))))),
    # Device Management (0x0708)
    (0x0708, True, 0x00): ("Publish Change of Tenancy", (
        _PROVIDER, _ISSUER_EVENT, F("tariff_type", B8), F("implementation_date_time", UTC),
        F("proposed_tenancy_change_control", B32))),
    (0x0708, True, 0x01): ("Publish Change of Supplier", (
        F("current_provider_id", U32), _ISSUER_EVENT, F("tariff_type", B8), F("proposed_provider_id", U32),
        F("provider_change_implementation_time", UTC), F("provider_change_control", B32),
        F("proposed_provider_name", OCTETS), F("proposed_provider_contact_details", OCTETS))),
    (0x0708, True, 0x02): ("Request New Password Response", (
        _ISSUER_EVENT, F("implementation_date_time", UTC), F("duration_in_minutes", U16), F("password_type", E8),
        F("password", OCTETS))),
    (0x0708, True, 0x03): ("Update Site ID", (
        _ISSUER_EVENT, F("site_id_time", UTC), _PROVIDER, F("site_id", OCTETS))),
    (0x0708, True, 0x04): ("Set Event Configuration", (
        _ISSUER_EVENT, F("start_date_time", UTC), F("event_configuration", B8), F("configuration_control", E8),
        F("number_of_events", U8), Repeat("event_ids", (F("event_id", U16),), count="number_of_events"))),
    (0x0708, True, 0x05): ("Get Event Configuration", (F("event_id", U16),)),
    (0x0708, True, 0x06): ("Update CIN", (
        _ISSUER_EVENT, F("cin_implementation_time", UTC), _PROVIDER, F("customer_id_number", OCTETS))),
    (0x0708, False, 0x04): ("Report Event Configuration", (
        F("command_index", U8), F("total_commands", U8),
        Repeat("events", (F("event_id", U16), F("event_configuration", B8))))),
    # Events (0x0709)
    (0x0709, False, 0x00): ("Get Event Log", (
        F("event_control_log_id", B8), F("event_id", U16), F("start_time", UTC), F("end_time", UTC),
        F("number_of_events", U8), F("event_offset", U16))),
    (0x0709, False, 0x01): ("Clear Event Log Request", (F("log_id", B8),)),
    (0x0709, True, 0x01): ("Publish Event Log", (
        F("total_number_of_events", U16), F("command_index", U8), F("total_commands", U8),
        F("log_payload_control", B8),
        Repeat("events", (F("log_id", B8), F("event_id", U16), F("event_time", UTC), F("event_data", OCTETS))))),
    (0x0709, True, 0x02): ("Clear Event Log Response", (F("cleared_event_logs", B8),)),
}


@dataclass(frozen=True, slots=True)
class Frame:
    """A ZCL frame: header and typed payload (`values`: the schema's fields; None when it travels
    encrypted and has not been decrypted)."""

    frame_control: int
    sequence: int
    command: int
    values: dict | None

    @property
    def cluster_specific(self) -> bool:
        return bool(self.frame_control & FRAME_CLUSTER_SPECIFIC)

    @property
    def server_to_client(self) -> bool:
        return bool(self.frame_control & FRAME_SERVER_TO_CLIENT)

    def header(self) -> bytes:
        return bytes((self.frame_control, self.sequence, self.command))

    def name(self, cluster: int) -> str:
        if not self.cluster_specific:
            return GENERAL_NAMES.get(self.command, f"general command 0x{self.command:02X}")
        known = COMMANDS.get((cluster, self.server_to_client, self.command))
        return known[0] if known else f"command 0x{self.command:02X}"

    def encode_payload(self, cluster: int) -> bytes:
        if self.values is None:
            raise PayloadError("the ZCL payload is encrypted and has no plaintext to encode", 0)
        if not self.cluster_specific:
            return _encode_general(self.command, self.values)
        return encode_fields(_schema(cluster, self), self.values)

    def encode(self, cluster: int = 0) -> bytes:
        return self.header() + self.encode_payload(cluster)


def _schema(cluster: int, frame: Frame) -> tuple:
    known = COMMANDS.get((cluster, frame.server_to_client, frame.command))
    if known is None:
        direction = "server to client" if frame.server_to_client else "client to server"
        raise PayloadError(f"no ZCL schema for cluster 0x{cluster:04X} command 0x{frame.command:02X} "
                           f"({direction})", 2)
    return known[1]


def decode_frame(cluster: int, data: bytes) -> Frame:
    """A ZCL frame; offsets in errors count from its frame control byte."""
    if len(data) < 3:
        raise PayloadError(f"truncated ZCL header: need 3 bytes, {len(data)} present", 0)
    control, sequence, command = data[0], data[1], data[2]
    if control & 0x04:
        raise PayloadError("manufacturer-specific ZCL frames are not used by GBCS", 0)
    frame = Frame(control, sequence, command, None)
    if frame.cluster_specific:
        values, _ = decode_fields(_schema(cluster, frame), data, 3, len(data), exact=True)
    else:
        values = _decode_general(command, data, 3, len(data))
    return Frame(control, sequence, command, values)


def decode_fields(schema: tuple, data: bytes, pos: int, end: int, *, exact: bool) -> tuple[dict, int]:
    values: dict = {}
    for item in schema:
        if isinstance(item, Repeat):
            entries = []
            if item.count is not None:
                count = values[item.count] & item.count_mask
                for _ in range(count):
                    entry, pos = decode_fields(item.fields, data, pos, end, exact=False)
                    entries.append(entry)
            else:
                while pos < end:
                    entry, pos = decode_fields(item.fields, data, pos, end, exact=False)
                    entries.append(entry)
            values[item.name] = entries
        elif isinstance(item, Switch):
            case = item.cases.get(values[item.on])
            if case is None:
                raise PayloadError(f"no ZCL schema for {item.on} = {values[item.on]}", pos)
            sub, pos = decode_fields(case, data, pos, end, exact=False)
            values.update(sub)
        else:
            name, kind = item
            if pos >= end and not exact:
                raise PayloadError(f"truncated ZCL payload: expected {name}", pos)
            if pos >= end:
                break      # trailing optional fields (ZCL lets a sender leave off fields at the end)
            values[name], pos = kind.decode(data, pos, end, name)
    if exact and pos != end:
        raise PayloadError(f"{end - pos} bytes after the end of the ZCL payload", pos)
    return values, pos


def encode_fields(schema: tuple, values: dict) -> bytes:
    out = bytearray()
    for item in schema:
        if isinstance(item, Repeat):
            for entry in values.get(item.name, ()):
                out += encode_fields(item.fields, entry)
        elif isinstance(item, Switch):
            out += encode_fields(item.cases[values[item.on]], values)
        else:
            name, kind = item
            if name not in values:
                break      # left off at the end, as it was received
            out += kind.encode(values[name], name)
    return bytes(out)


# -- general commands ------------------------------------------------------------------------------------

def _decode_general(command: int, data: bytes, pos: int, end: int) -> dict:
    if command == READ_ATTRIBUTES:
        if (end - pos) % 2:
            raise PayloadError("read attributes: attribute identifiers are 2 bytes each", pos)
        return {"attributes": [int.from_bytes(data[i:i + 2], "little") for i in range(pos, end, 2)]}
    if command == DEFAULT_RESPONSE:
        if end - pos != 2:
            raise PayloadError(f"default response: expected a command id and a status, found {end - pos} bytes", pos)
        return {"command_id": data[pos], "status": data[pos + 1]}
    if command in (READ_ATTRIBUTES_RESPONSE, WRITE_ATTRIBUTES, REPORT_ATTRIBUTES):
        records = []
        while pos < end:
            if pos + 3 > end:
                raise PayloadError("truncated attribute record", pos)
            record: dict = {"attribute": int.from_bytes(data[pos:pos + 2], "little")}
            pos += 2
            if command == READ_ATTRIBUTES_RESPONSE:
                record["status"] = data[pos]
                pos += 1
                if record["status"] != 0:
                    records.append(record)
                    continue
            type_id = data[pos]
            kind = DATA_TYPES.get(type_id)
            if kind is None:
                raise PayloadError(f"unknown ZCL data type 0x{type_id:02X}", pos)
            record["type"] = kind.name
            record["value"], pos = kind.decode(data, pos + 1, end, f"attribute 0x{record['attribute']:04X}")
            records.append(record)
        return {"records": records}
    if command == WRITE_ATTRIBUTES_RESPONSE:
        records = []
        while pos < end:
            status = data[pos]
            if status == 0 and pos + 1 == end:
                records.append({"status": 0})
                pos += 1
                continue
            if pos + 3 > end:
                raise PayloadError("truncated write attributes status record", pos)
            records.append({"status": status, "attribute": int.from_bytes(data[pos + 1:pos + 3], "little")})
            pos += 3
        return {"records": records}
    raise PayloadError(f"no ZCL schema for general command 0x{command:02X}", 2)


def _encode_general(command: int, values: dict) -> bytes:
    if command == READ_ATTRIBUTES:
        return b"".join(a.to_bytes(2, "little") for a in values["attributes"])
    if command == DEFAULT_RESPONSE:
        return bytes((values["command_id"], values["status"]))
    out = bytearray()
    if command in (READ_ATTRIBUTES_RESPONSE, WRITE_ATTRIBUTES, REPORT_ATTRIBUTES):
        for record in values["records"]:
            out += record["attribute"].to_bytes(2, "little")
            if command == READ_ATTRIBUTES_RESPONSE:
                out.append(record["status"])
                if record["status"] != 0:
                    continue
            kind = next(k for k in DATA_TYPES.values() if k.name == record["type"])
            out.append(TYPE_IDS[kind])
            out += kind.encode(record["value"], f"attribute 0x{record['attribute']:04X}")
        return bytes(out)
    if command == WRITE_ATTRIBUTES_RESPONSE:
        for record in values["records"]:
            out.append(record["status"])
            if "attribute" in record:
                out += record["attribute"].to_bytes(2, "little")
        return bytes(out)
    raise PayloadError(f"no ZCL schema for general command 0x{command:02X}", 2)
