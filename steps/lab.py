"""The lab and the installer: prerequisites of the business scenarios and what happens on site."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.lab import parameters


@given(parsers.parse("the {party} sees the Communications Hub installed and commissioned"))
def hub_commissioned(lab, scenario_context, party):
    chf = parameters.device(lab.config, "CHF")[1]
    exchange = lab.user(party).send("8.2", device_id=chf)
    scenario_context.record(exchange)
    assert exchange.succeeded, exchange.summary
    entry = next(d for d in exchange.response.inventory if d["DeviceID"] == chf.duis)
    assert entry["DeviceStatus"] == "Commissioned", entry


@given(parsers.parse("the {party} has completed the WAN matrix check for the premises"))
def wan_matrix(lab, scenario_context, party):
    site = lab.config.premises[0]
    exchange = lab.user(party).send("12.1", uprn=site.uprn)
    scenario_context.record(exchange)
    assert exchange.succeeded, exchange.summary


@given(parsers.parse("the {party} has pre-notified the {device} to the DCC"))
def prenotified(lab, scenario_context, party, device):
    cfg = lab.device_config(device)
    params = {"device_id": cfg.eui, "device_type": cfg.type, "device_manufacturer": cfg.manufacturer,
              "device_model": cfg.model}
    if cfg.smets_chts_version:
        params["smets_chts_version"] = cfg.smets_chts_version
    if cfg.firmware_version:
        params["firmware_version"] = cfg.firmware_version
    exchange = lab.user(party).send("12.2", **params)
    scenario_context.record(exchange)
    assert exchange.succeeded, exchange.summary


@given(parsers.parse("the installer has fitted and powered the {device}"))
@when(parsers.parse("the installer powers on the {device}"))
def power_on(lab, device):
    lab.power_on(device)


@then(parsers.parse("the {party} sees the {device} join the HAN"))
def joins_han(lab, scenario_context, party, device):
    """Observed in the SMI: the DCC marks a device Installed Not Commissioned once its CH reports the join."""
    eui = parameters.device(lab.config, device)[1]
    user = lab.user(party)
    for _ in range(JOIN_POLLS):
        exchange = user.send("8.2", device_id=eui)
        scenario_context.record(exchange)
        assert exchange.succeeded, exchange.summary
        status = next((d["DeviceStatus"] for d in exchange.response.inventory if d["DeviceID"] == eui.duis), None)
        if status in ("InstalledNotCommissioned", "Commissioned"):
            return
        lab.let_time_pass(JOIN_POLL_INTERVAL_S)
    raise AssertionError(f"the {device} did not join the HAN: the SMI still shows it {status}")


JOIN_POLL_INTERVAL_S = 30.0
JOIN_POLLS = 120          # an hour: the longest join period 8.11 allows
