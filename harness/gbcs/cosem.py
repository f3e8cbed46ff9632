"""What DLMS COSEM data means: interface classes, their attributes and methods, the GBCS object
instances (OBIS), and typed views of attribute values (Blue Book, IEC 62056-6-2; GBCS table 7.x).

A view turns the A-XDR `Data` of an attribute into named, typed values: a season profile becomes
{"season_profile_name": "winter", "season_start": "2014-10-27T00:00:00Z", "week_name": "01"}, a unit
charge its scaling, commodity and charge table. Where a value does not have the shape the class says,
the view falls back to the plain value rather than failing: triage must show what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.gbcs.axdr import Data, Tag
from harness.gbcs.dlms import Descriptor, DlmsDateTime, Obis, RequestKind, date_text, time_text


@dataclass(frozen=True)
class CosemClass:
    name: str
    attributes: tuple[str, ...]     # from attribute 2 on (1 is always logical_name)
    methods: tuple[str, ...] = ()   # from method 1 on


CLASSES: dict[int, CosemClass] = {
    1: CosemClass("Data", ("value",)),
    3: CosemClass("Register", ("value", "scaler_unit"), ("reset",)),
    4: CosemClass("Extended Register", ("value", "scaler_unit", "status", "capture_time"), ("reset",)),
    5: CosemClass("Demand Register", ("current_average_value", "last_average_value", "scaler_unit", "status",
                                      "capture_time", "start_time_current", "period", "number_of_periods"),
                  ("reset", "next_period")),
    7: CosemClass("Profile Generic", ("buffer", "capture_objects", "capture_period", "sort_method", "sort_object",
                                      "entries_in_use", "profile_entries"),
                  ("reset", "capture", "get_buffer_by_range", "get_buffer_by_index")),
    8: CosemClass("Clock", ("time", "time_zone", "status", "daylight_savings_begin", "daylight_savings_end",
                            "daylight_savings_deviation", "daylight_savings_enabled", "clock_base"),
                  ("adjust_to_quarter", "adjust_to_measuring_period", "adjust_to_minute", "adjust_to_preset_time",
                   "preset_adjusting_time", "shift_time")),
    9: CosemClass("Script Table", ("scripts",), ("execute",)),
    10: CosemClass("Schedule", ("entries",), ("enable_disable", "insert", "delete")),
    11: CosemClass("Special Days Table", ("entries",), ("insert", "delete")),
    20: CosemClass("Activity Calendar", (
        "calendar_name_active", "season_profile_active", "week_profile_table_active", "day_profile_table_active",
        "calendar_name_passive", "season_profile_passive", "week_profile_table_passive", "day_profile_table_passive",
        "activate_passive_calendar_time"), ("activate_passive_calendar",)),
    21: CosemClass("Register Monitor", ("thresholds", "monitored_value", "actions")),
    22: CosemClass("Single Action Schedule", ("executed_script", "type", "execution_time")),
    30: CosemClass("Data Protection", ("protection_buffer", "protection_object_list", "protection_parameters_get",
                                       "protection_parameters_set", "required_protection"),
                   ("get_protected_attributes", "set_protected_attributes", "invoke_protected_method")),
    70: CosemClass("Disconnect Control", ("output_state", "control_state", "control_mode"),
                   ("remote_disconnect", "remote_reconnect")),
    71: CosemClass("Limiter", ("monitored_value", "threshold_active", "threshold_normal", "threshold_emergency",
                               "min_over_threshold_duration", "min_under_threshold_duration", "emergency_profile",
                               "emergency_profile_group_id_list", "emergency_profile_active", "actions")),
    104: CosemClass("ZigBee Network Control", ("enable_disable_joining", "join_timeout", "active_devices"),
                    ("register_device", "unregister_device", "unregister_all_devices", "backup_pan", "restore_pan",
                     "identify_device", "remove_mirror", "update_network_key", "update_link_key", "create_pan",
                     "remove_pan")),
    111: CosemClass("Account", (
        "account_mode_and_status", "current_credit_in_use", "current_credit_status", "available_credit",
        "amount_to_clear", "clearance_threshold", "aggregated_debt", "credit_reference_list",
        "charge_reference_list", "credit_charge_configuration", "token_gateway_configuration",
        "account_activation_time", "account_closure_time", "currency", "low_credit_threshold",
        "next_credit_available_threshold", "max_provision", "max_provision_period"),
        ("activate_account", "close_account", "reset_account")),
    112: CosemClass("Credit", ("current_credit_amount", "credit_type", "priority", "warning_threshold", "limit",
                               "credit_configuration", "credit_status", "preset_credit_amount",
                               "credit_available_threshold", "period"),
                    ("update_amount", "set_amount_to_value", "invoke_credit")),
    113: CosemClass("Charge", ("total_amount_paid", "charge_type", "priority", "unit_charge_active",
                               "unit_charge_passive", "unit_charge_activation_time", "period", "charge_configuration",
                               "last_collection_time", "last_collection_amount", "total_amount_remaining",
                               "proportion"),
                    ("update_unit_charge", "activate_passive_unit_charge", "collect", "update_total_amount_remaining",
                     "set_total_amount_remaining")),
    115: CosemClass("Token Gateway", ("token", "token_time", "token_description", "token_delivery_method",
                                      "token_status"), ("enter",)),
    9000: CosemClass("GBCS Extended Data", ("value_active", "scaler_unit_active", "value_passive",
                                            "scaler_unit_passive", "activate_passive_value_time")),
}

# GBCS object instances by logical name (GBCS table 7.x 'DLMS COSEM objects'), where triage needs a name.
INSTANCES: dict[str, str] = {
    "0-0:1.0.0.255": "Clock",
    "0-0:10.0.100.255": "Tariff Block Counter Matrix TOU",
    "0-0:13.0.0.255": "Tariff Switching Table",
    "0-0:13.0.1.255": "Tariff Switching Table (Secondary Element)",
    "0-0:16.1.11.255": "Tariff Threshold Matrix Blocks TOU1",
    "0-0:16.1.12.255": "Tariff Threshold Matrix Blocks TOU2",
    "0-0:16.1.13.255": "Tariff Threshold Matrix Blocks TOU3",
    "0-0:16.1.14.255": "Tariff Threshold Matrix Blocks TOU4",
    "0-0:16.1.15.255": "Tariff Threshold Matrix Blocks TOU5",
    "0-0:16.1.16.255": "Tariff Threshold Matrix Blocks TOU6",
    "0-0:16.1.17.255": "Tariff Threshold Matrix Blocks TOU7",
    "0-0:16.1.18.255": "Tariff Threshold Matrix Blocks TOU8",
    "0-0:19.10.0.255": "Meter Balance",
    "0-0:19.10.1.255": "Emergency Credit Balance",
    "0-0:19.10.2.255": "Accumulated Debt Register",
    "0-0:19.20.0.255": "Tariff Block Price Matrix TOU",
    "0-0:19.20.1.255": "Debt Recovery Rates 1",
    "0-0:19.20.2.255": "Debt Recovery Rates 2",
    "0-0:19.20.3.255": "Debt Recovery per Payment",
    "0-0:19.20.4.255": "Standing Charge",
    "0-0:19.20.5.255": "Secondary Tariff TOU Price Matrix",
    "0-0:19.40.0.255": "Prepayment Credit (Token Gateway)",
    "0-0:30.3.0.255": "CHF Device Log",
    "0-0:43.2.8.255": "Import Register Collection",
    "0-0:43.2.9.255": "Tariff TOU Register Collection",
    "0-0:43.2.10.255": "Tariff Block TOU Register Collection",
    "0-0:43.2.1.255": "Prepayment Register Collection",
    "0-0:43.2.2.255": "Billing Data Log (Billing Calendar) Collection",
    "0-0:43.2.3.255": "Billing Data Log (Change of Mode / Tariff) Collection",
    "0-0:43.2.4.255": "Daily Consumption Log Collection",
    "0-0:43.2.5.255": "Daily Read Log Collection",
    "0-0:43.2.6.255": "Prepayment Daily Read Log Collection",
    "0-0:43.2.7.255": "Active Import Profile Data Collection",
    "0-0:94.44.34.1": "Tariff TOU Registers",
    "0-0:94.44.34.10": "Import Registers",
    "0-0:94.44.34.30": "Prepayment Registers",
    "0-0:94.44.100.255": "Log Entry UTC Time",
    "0-0:98.1.0.255": "Billing Data Log (Billing Calendar)",
    "0-0:98.1.1.255": "Billing Data Log Prepayment Data (Billing Calendar)",
    "0-0:98.1.2.255": "Billing Data Log (Change of Mode / Tariff)",
    "0-0:98.1.8.255": "Prepayment Daily Read Log",
    "0-0:98.1.9.255": "Daily Read Log",
    "0-0:99.1.0.255": "Active Import Profile Data Log",
    "0-0:99.1.3.255": "Daily Consumption Log",
    "0-0:99.98.1.255": "Security Log",
    "0-0:99.98.4.255": "Power Event Log",
    "0-17:99.98.2.255": "Auxiliary Load Control Switch Event Log",
    "0-0:63.1.1.255": "Tariff Threshold Matrix",
    "0-0:94.44.2.0": "Currency Unit",
    "0-0:94.44.3.1": "Disable Privacy PIN Protection",
    "0-0:94.44.3.2": "Restrict Data Date Time",
    "0-0:94.44.10.0": "Sub GHz Configuration Settings",
    "0-0:94.44.10.1": "CHF Sub GHz Channel Scan",
    "0-0:94.44.10.2": "Operating Sub GHz Channel",
    "0-0:94.44.2.10": "Prepayment Credit Max Credit Threshold",
    "0-0:94.44.2.20": "Prepayment Credit Max Meter Balance",
    "0-0:94.44.128.2": "Emergency Credit Limit",
    "0-0:94.44.128.3": "Emergency Credit Threshold",
    "0-0:94.44.128.9": "Low Credit Threshold",
    "0-0:94.44.128.12": "Debt Recovery Rate Cap Amount",
    "0-0:94.44.128.13": "Debt Recovery Rate Cap Period",
    "0-0:94.44.128.22": "Disablement Threshold Meter Balance",
    "0-0:94.44.128.28": "Non-Disablement Calendar",
    "0-0:94.44.128.29": "Tariff Switching Table Special Days",
    "0-0:94.44.128.30": "Tariff Switching Table Secondary Element Special Days",
    "0-0:94.44.128.31": "Non-Disablement Calendar Special Days",
    "0-0:96.13.0.255": "Contact Details Supplier Telephone Number",
    "0-0:96.13.1.255": "Contact Details Supplier Name",
    "0-0:99.98.0.255": "Event Log",
    "0-1:12.0.1.255": "Non-Disablement Calendar",
    "0-1:11.0.0.255": "Tariff Switching Table Special Days",
    "0-1:11.0.1.255": "Tariff Switching Table Secondary Element Special Days",
    "0-1:11.0.2.255": "Non-Disablement Calendar Special Days",
    "0-1:19.0.0.255": "Payment Mode (Account)",
    "0-0:19.0.0.255": "Payment Mode (Account)",
    "0-0:15.0.0.255": "Billing Calendar",
    "0-0:16.0.0.255": "Instantaneous Power Thresholds",
    "0-0:94.44.0.3": "Load Limit Supply State",
    "0-0:94.44.0.4": "Supply Tamper State",
    "0-0:94.44.128.6": "Load Limit Period",
    "0-0:94.44.128.7": "Load Limit Power Threshold",
    "0-0:94.44.128.8": "Load Limit Restoration Period",
    "0-0:94.44.34.11": "Import MPAN",
    "0-30:97.98.11.255": "Supplier Alert Configuration (WAN)",
    "0-30:97.98.12.255": "Supplier Alert Configuration (HAN)",
    "0-30:97.98.13.255": "Supplier Audible Alarm Configuration",
    "0-30:97.98.14.255": "Supplier Event Logging Configuration",
    "0-33:97.98.11.255": "Network Operator Alert Configuration (WAN)",
    "0-33:97.98.14.255": "Network Operator Event Logging Configuration",
    "0-2:96.13.1.255": "Supplier Message",
    "1-0:1.8.0.255": "Active Import Register",
    "1-0:2.8.0.255": "Active Export Register",
    "1-0:4.8.0.255": "Reactive Export Register",
    # read by the DIT plan's read-back SRs (support_reads.py, device_log.py, firmware.py)
    "0-0:0.2.1.255": "Active Firmware Identifier",
    "0-0:30.3.1.255": "CHF Historic Device Log",
    "0-0:94.44.1.7": "Primary Active Tariff Price",
    "0-0:94.44.10.3": "CHF Sub GHz Channel Log",
    "0-0:96.1.1.255": "Device Identifier",
    "0-0:96.1.2.255": "Meter Variant",
    "0-0:96.1.4.255": "Model Type",
    "0-0:96.1.6.255": "Manufacturer Identifier",
    "0-0:96.3.10.255": "Supply Disconnect Control",
    "1-0:0.0.2.255": "Export MPAN",
    "0-30:97.98.15.255": "Supplier Alert Settings (WAN)",
    "0-30:97.98.16.255": "Supplier Alert Settings (HAN)",
    "0-30:97.98.17.255": "Supplier Audible Alarm Settings",
    "0-30:97.98.18.255": "Supplier Event Logging Settings",
    "0-33:97.98.15.255": "Network Operator Alert Settings (WAN)",
    "0-33:97.98.18.255": "Network Operator Event Logging Settings",
}


def member_name(descriptor: Descriptor, kind: RequestKind) -> str:
    cosem = CLASSES.get(descriptor.class_id)
    names = () if cosem is None else (cosem.methods if kind is RequestKind.ACTION else cosem.attributes)
    index = descriptor.member - (1 if kind is RequestKind.ACTION else 2)
    if kind is not RequestKind.ACTION and descriptor.member == 1:
        return "logical_name"
    if 0 <= index < len(names):
        return names[index]
    return f"{'method' if kind is RequestKind.ACTION else 'attribute'} {descriptor.member}"


def describe(descriptor: Descriptor, kind: RequestKind) -> dict:
    cosem = CLASSES.get(descriptor.class_id)
    instance = str(descriptor.instance)
    out = {"class": cosem.name if cosem else f"class {descriptor.class_id}", "class_id": descriptor.class_id,
           "instance": instance}
    if instance in INSTANCES:
        out["object"] = INSTANCES[instance]
    out["method" if kind is RequestKind.ACTION else "attribute"] = member_name(descriptor, kind)
    return out


# -- typed views --------------------------------------------------------------------------------------
# A schema is a scalar name ("date_time", "date", "time", "obis", "text", "hex"), a tuple of
# (member name, schema) for a structure, or a one-element list [schema] for an array.

_SCALER_UNIT = (("scaler", "int"), ("unit", "int"))
_DESCRIPTOR = (("class_id", "int"), ("logical_name", "obis"), ("attribute_index", "int"))
_SEASONS = [(("season_profile_name", "text"), ("season_start", "date_time"), ("week_name", "text"))]
_WEEKS = [(("week_profile_name", "text"), ("monday", "int"), ("tuesday", "int"), ("wednesday", "int"),
           ("thursday", "int"), ("friday", "int"), ("saturday", "int"), ("sunday", "int"))]
_DAYS = [(("day_id", "int"),
          ("day_schedule", [(("start_time", "time"), ("script_logical_name", "obis"), ("script_selector", "int"))]))]
_UNIT_CHARGE = (("charge_per_unit_scaling", (("commodity_scale", "int"), ("price_scale", "int"))),
                ("commodity", _DESCRIPTOR),
                ("charge_table", [(("index", "hex"), ("charge_per_unit", "int"))]))

ATTRIBUTES: dict[tuple[int, int], object] = {
    (3, 3): _SCALER_UNIT, (4, 3): _SCALER_UNIT, (4, 5): "date_time",
    (7, 3): [(("class_id", "int"), ("logical_name", "obis"), ("attribute_index", "int"), ("data_index", "int"))],
    (8, 2): "date_time",
    (10, 2): [(("index", "int"), ("enable", "bool"), ("script_logical_name", "obis"), ("script_selector", "int"),
               ("switch_time", "time"), ("validity_window", "int"), ("exec_weekdays", "bits"),
               ("exec_specdays", "bits"), ("begin_date", "date"), ("end_date", "date"))],
    (11, 2): [(("index", "int"), ("specialday_date", "date"), ("day_id", "int"))],
    (20, 2): "text", (20, 3): _SEASONS, (20, 4): _WEEKS, (20, 5): _DAYS,
    (20, 6): "text", (20, 7): _SEASONS, (20, 8): _WEEKS, (20, 9): _DAYS, (20, 10): "date_time",
    (21, 3): _DESCRIPTOR,
    (22, 2): (("script_logical_name", "obis"), ("script_selector", "int")),
    (22, 4): [(("time", "time"), ("date", "date"))],
    (111, 2): (("account_mode", "int"), ("account_status", "int")), (111, 13): "date_time",
    (111, 11): [(("credit_reference", "obis"), ("charge_reference", "obis"), ("collection_configuration", "bits"))],
    (111, 12): [(("credit_reference", "obis"), ("token_proportion", "int"))],
    (111, 16): (("currency_name", "text"), ("currency_scale", "int"), ("currency_unit", "int")),
    (112, 11): "date_time",
    (113, 5): _UNIT_CHARGE, (113, 6): _UNIT_CHARGE, (113, 7): "date_time", (113, 10): "date_time",
    (9000, 3): _SCALER_UNIT, (9000, 5): _SCALER_UNIT, (9000, 6): "date_time",
}


def scalar(schema: str, item: Data):
    if item.tag is Tag.OCTET_STRING:
        raw = item.octets
        if schema == "date_time" and len(raw) == 12:
            return str(DlmsDateTime(raw))
        if schema == "date" and len(raw) == 5:
            return date_text(raw)
        if schema == "time" and len(raw) == 4:
            return time_text(raw)
        if schema == "obis" and len(raw) == 6:
            return str(Obis(raw))
        if schema == "text" and all(0x20 <= b < 0x7F for b in raw):
            return raw.decode("ascii")
    if schema == "eui" and item.tag is Tag.OCTET_STRING and len(item.octets) == 8:
        return "-".join(f"{b:02X}" for b in item.octets)
    if schema == "hundredths" and item.tag in (Tag.UNSIGNED, Tag.LONG_UNSIGNED):
        return f"{item.int / 100:.2f}"
    if schema == "channel_mask" and item.tag is Tag.BIT_STRING and item.bit_string[0] == 32:
        return channel_mask_view(int.from_bytes(item.bit_string[1], "big"))
    if schema in _ALERT_CODE_HIGH_BYTE and item.tag is Tag.BIT_STRING and item.bit_string[0] == 512:
        return alert_configuration_view(item.bit_string[1], _ALERT_CODE_HIGH_BYTE[schema])
    if schema == "currency" and item.tag is Tag.BOOLEAN:
        return "GBP" if item.value else "ECB"       # as DUIS names them (CurrencyUnits)
    return plain(item)


def plain(item: Data):
    """A value with no schema: octet-strings that are clearly date-times or OBIS codes are shown as
    such, other bytes as hex."""
    if item.tag in (Tag.ARRAY, Tag.STRUCTURE, Tag.COMPACT_ARRAY):
        return [plain(child) for child in item.items]
    if item.tag is Tag.OCTET_STRING and len(item.octets) == 12 and item.octets[9:11] in (b"\x80\x00", b"\x00\x00"):
        return str(DlmsDateTime(item.octets))
    return item.plain()


def view(schema: object, item: Data):
    if isinstance(schema, str):
        return scalar(schema, item)
    if isinstance(schema, list) and item.tag in (Tag.ARRAY, Tag.COMPACT_ARRAY):
        return [view(schema[0], child) for child in item.items]
    if isinstance(schema, tuple) and item.tag is Tag.STRUCTURE and len(schema) == len(item.items):
        return {name: view(member, child) for (name, member), child in zip(schema, item.items)}
    return plain(item)


_SUB_GHZ_CONFIGURATION = (
    ("lower_band_channels_0_26", "channel_mask"), ("lower_band_channels_27_34", "channel_mask"),
    ("lower_band_channels_35_61", "channel_mask"), ("upper_band_channels_0_26", "channel_mask"),
    ("normal_limited_duty_cycle_threshold", "hundredths"), ("limited_critical_duty_cycle_threshold", "hundredths"),
    ("maximum_sub_ghz_channel_changes_per_week", "int"), ("gsme_curfew", "int"),
    ("channel_quieter_threshold", "int"), ("channel_noisier_threshold", "int"),
    ("non_gsme_poor_comms_percentage_threshold", "hundredths"), ("non_gsme_poor_comms_measurement_periods", "int"),
    ("local_ch_noise_measurement_period", "int"), ("local_ch_failure_percentage", "hundredths"),
    ("local_ch_retry_percentage", "hundredths"))

# Views that depend on the object, not its class: Data and GBCS Extended Data values are text, a currency
# or a number by instance. Keyed by (logical name, attribute).
INSTANCE_ATTRIBUTES: dict[tuple[str, int], object] = {
    ("0-2:96.13.1.255", 2): "text",                                              # Supplier Message
    ("0-0:96.13.0.255", 2): "text", ("0-0:96.13.0.255", 4): "text",              # Supplier Telephone Number
    ("0-0:96.13.1.255", 2): "text", ("0-0:96.13.1.255", 4): "text",              # Supplier Name
    ("0-0:94.44.2.0", 2): "currency", ("0-0:94.44.2.0", 4): "currency",          # Currency Unit
    ("0-0:94.44.34.11", 2): "text",                                              # Import MPAN
    **{(f"0-30:97.98.{e}.255", 2): "supplier_alerts" for e in (11, 12, 13, 14)},
    **{(f"0-33:97.98.{e}.255", 2): "network_operator_alerts" for e in (11, 14)},
    ("0-0:94.44.10.0", 2): _SUB_GHZ_CONFIGURATION,
    ("0-0:94.44.10.2", 2): "channel_mask",                                       # Operating Sub GHz Channel
}


# Alert configuration objects: 512 bits, a 256-bit mask of the alerts configured then their settings; an
# alert's bit counts back from the end of each half by its code's low byte (0x81xx supplier, 0x80xx NO).
_ALERT_CODE_HIGH_BYTE = {"supplier_alerts": 0x81, "network_operator_alerts": 0x80}


def alert_configuration_view(raw: bytes, high: int) -> dict[str, str]:
    bits = int.from_bytes(raw, "big")
    out = {}
    for low in range(256):
        if bits >> (256 + low) & 1:
            out[f"0x{high:02X}{low:02X}"] = "Enable" if bits >> low & 1 else "Disable"
    return dict(sorted(out.items()))


# A sub-GHz channel mask: ZigBee channel page in the top 5 bits, channel (first + n) at bit n.
_PAGE_FIRST_CHANNEL = {28: 0, 29: 27, 30: 35, 31: 0}


def channel_mask_view(value: int) -> dict:
    page = value >> 27
    first = _PAGE_FIRST_CHANNEL.get(page, 0)
    return {"page": page, "band": "upper" if page == 31 else "lower",
            "channels": [first + n for n in range(27) if value >> n & 1]}


# Use-case content of DLMS alerts, by alert code: CS14's CHF Device Log backup, the sub-GHz alerts' (DBCH06 the
# device suspended, DBCH07 the channel now and the scan trigger, DBCH09 the configuration, DBCH11 the device refused).
ALERT_CONTENT: dict[int, object] = {
    0x8F12: (("backup_date_time", "date_time"), ("extended_pan_id", "hex"),
             ("devices", [(("device_id", "eui"), ("hashed_tc_link_key", "hex"))])),
    0x8F20: "eui",
    0x8F26: (("operating_channel", "channel_mask"), ("scan_trigger", "hex")),
    0x8F2A: _SUB_GHZ_CONFIGURATION,
    0x8F2D: "eui",
}


def attribute_view(descriptor: Descriptor, item: Data):
    schema = INSTANCE_ATTRIBUTES.get((str(descriptor.instance), descriptor.member),
                                     ATTRIBUTES.get((descriptor.class_id, descriptor.member)))
    return plain(item) if schema is None else view(schema, item)
