"""The Service Request sequence of every DIT business scenario variant, transcribed from the seed
(001_dit_approach_and_business_scenarios.txt, the DCC Business Forum packs) independently of the
feature files, so that a scenario drifting from the plan fails a test. Pre-installation SRs (no-WAN:
12.2 and 8.11 for the HHT) and post-installation SRs (8.14.2) are part of the sequence; SMKI retrievals
and "Trigger TOM commands" are not SRs. Optional SRs are marked with a trailing '?'.
"""

IC_ESME_CR = "8.11 6.21 8.1.1 6.20.1 1.1.1 1.6 6.8 5.1 6.22 4.4.2 1.5 3.4 6.4.1 6.12 6.25 6.17 6.15.2 6.17 6.15.2 6.21"
IC_GSME_CR = ("8.11 6.21 6.21 8.1.1 6.20.1 1.1.1 1.6 6.8 5.1 6.22 4.4.2 8.7.2 3.4 6.6 1.5 "
              "6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.21")
IC_ESME_PP = ("8.11 6.21 8.1.1 6.20.1 1.1.1 2.1 1.6 6.8 5.1 6.22 4.4.2 2.3 1.5 3.4 6.4.1 6.12 6.25 "
              "6.17 6.15.2 6.17 6.15.2 6.21")
IC_GSME_PP = ("8.11 6.21 6.21 8.1.1 6.20.1 1.1.1 2.1 1.6 6.8 5.1 6.22 4.4.2 8.7.2 1.5 3.4 6.6 2.3 "
              "6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.21")
NO_WAN_PRE = "12.2 8.11 "
NO_WAN_HAN = "8.11 8.13 8.13 "
COS_GAIN_E_CR = "6.23 1.1.1 1.6 4.4.2 5.1 6.8 1.5 3.4 6.25 6.4.1 6.22 6.12 3.1"
COS_GAIN_G_CR = "6.23 6.23 1.1.1 1.6 4.4.2 5.1 6.8 1.5 6.6 3.4 6.22 3.1"
COS_GAIN_E_PP = "6.23 2.1 1.6 1.1.1 4.4.2 5.1 6.8 2.3 1.5 3.4 6.25 6.4.1 6.22 6.12 3.1"
COS_GAIN_G_PP = "6.23 6.23 2.1 1.6 1.1.1 4.4.2 5.1 6.8 2.3 1.5 6.6 3.4 6.22 3.1"
COT_OUT_CR = "3.2 3.5 1.1.1 4.6.1 4.4.2 1.5 5.3 5.1 3.1"
COT_OUT_PP = "3.2 3.5 1.1.1 4.6.1 4.4.2 2.3 1.5 5.3 5.1 3.1"
COT_IN = "3.2 3.5 1.1.1 2.1 2.3 4.6.1 4.4.2 1.5 5.3? 5.1? 3.1"
COT_IN_PP_CR = "3.2 3.5 1.1.1 1.6 4.6.1 4.4.2 4.14 1.5 5.3? 5.1? 3.1"
COT_IN_CR_PP = "3.2 3.5 1.1.1 2.1 1.6 4.6.1 4.4.2 2.3 1.5 5.3? 5.1? 3.1"
CHF_GAS = "8.12.1 8.12.2 8.8.2 8.7.2 8.3 6.21 6.21 6.17 6.15.2 6.17 6.15.2 5.1"
DECOM_E_CR = "4.1.1 4.1.2 1.5 6.20.1 3.2 6.13 6.13 8.11 8.3"
DECOM_E_PP = "4.1.1 4.1.2 4.3 2.3 1.5 6.20.1 3.2 6.13 6.13 8.11 8.3"
DECOM_G_CR = "4.1.1 4.1.2 1.5 6.20.1 3.2 6.13 6.13 8.8.2 8.11 8.3"
DECOM_G_PP = "4.1.1 4.1.2 4.3 2.3 1.5 6.20.1 3.2 6.13 6.13 8.8.2 8.11 8.3"
REKEY = "6.17 6.15.2 6.17 6.15.2"

SEED_SEQUENCES = {
    "install_commission/install-commission-esme-credit": IC_ESME_CR,
    "install_commission/install-commission-gsme-credit": IC_GSME_CR,
    "install_commission/install-commission-esme-prepayment": IC_ESME_PP,
    "install_commission/install-commission-gsme-prepayment": IC_GSME_PP,
    "no_wan_lcd/no-wan-installation-using-lcd-esme-credit": NO_WAN_PRE + NO_WAN_HAN + "6.21 1.1.1 6.8 8.13 6.21 8.14.2",
    "no_wan_lcd/no-wan-installation-using-lcd-gsme-credit":
        NO_WAN_PRE + NO_WAN_HAN + "6.21 6.21 1.1.1 6.8 8.13 8.7.2 8.13 8.13 1.5 6.21 8.14.2",
    "no_wan_lcd/no-wan-installation-using-lcd-esme-prepayment":
        NO_WAN_PRE + NO_WAN_HAN + "6.21 1.1.1 2.1 1.6 6.8 8.13 2.3 1.5 6.21 8.14.2",
    "no_wan_lcd/no-wan-installation-using-lcd-gsme-prepayment":
        NO_WAN_PRE + NO_WAN_HAN + "6.21 6.21 1.1.1 2.1 1.6 6.8 8.13 8.7.2 8.13 8.13 1.5 2.3 6.21 8.14.2",
    "prepayment_top_up/prepayment-device-top-up-via-wan": "2.2",
    "prepayment_top_up/prepayment-device-top-up-directly-via-ppmid-meter": "",
    # the same for gas: the seed's "ToP Up Device IS/GS", "Local ToP Up Device IS/GS"
    "prepayment_top_up/prepayment-device-top-up-via-wan-gas": "2.2",
    "prepayment_top_up/prepayment-device-top-up-directly-via-ppmid-meter-gas": "",
    "chf_replacement/chf-replacement-by-electricity-supplier-elec-only-site": "8.12.1 8.3",
    "chf_replacement/chf-replacement-by-gas-supplier-gas-only-site": CHF_GAS,
    "chf_replacement/chf-replacement-by-electricity-supplier-dual-fuel-site-each-fuel-supplied-by-different-supplier":
        CHF_GAS,
    "chf_replacement/chf-replacement-identified-by-gas-supplier-dual-fuel-site-each-fuel-supplied-by-different-supplier":
        CHF_GAS,
    "ppmid/ppmid-exchange-electricity-site": "8.8.1 8.8.2 8.11 8.3 8.11 8.7.1 8.7.2",
    "ppmid/ppmid-exchange-gas-site": "8.8.1 8.8.2 8.8.2 8.11 8.3 8.11 8.7.1 8.7.2 8.7.2",
    "ppmid/ppmid-re-join-after-device-rekey-process": "8.7.2",
    "ppmid/esme-exchange-re-pairing-with-ppmid": "8.8.1 8.8.2 8.7.1 8.7.2",
    "ppmid/gsme-exchange-re-pairing-with-ppmid": "8.8.1 8.8.2 8.8.2 8.7.1 8.7.2 8.7.2",
    "tariff_update/tariff-update-product-change-electricity": "1.1.1 4.4.2 5.3? 5.1? 3.1",
    "tariff_update/tariff-update-product-change-gas": "1.1.1 4.4.2 5.3? 5.1? 3.1",
    # the same on prepayment meters: the seed's "Tariff Update (Product Change) PP/CR"
    "tariff_update/tariff-update-product-change-electricity-pp": "1.1.1 4.4.2 5.3? 5.1? 3.1",
    "tariff_update/tariff-update-product-change-gas-pp": "1.1.1 4.4.2 5.3? 5.1? 3.1",
    "change_of_mode/change-of-mode-pp-to-cr-product-change-elec": "1.1.1 1.6 4.4.2 1.5 5.3? 5.1? 3.1",
    "change_of_mode/change-of-mode-pp-to-cr-product-change-gas": "1.1.1 1.6 4.4.2 1.5 5.3? 5.1? 3.1",
    "change_of_mode/change-of-mode-cr-to-pp-product-change-elec": "2.1 1.6 1.1.1 4.4.2 2.3 1.5 5.3? 5.1? 3.1",
    "change_of_mode/change-of-mode-cr-to-pp-product-change-gas": "2.1 1.6 1.1.1 4.4.2 2.3 1.5 5.3? 5.1? 3.1",
    "firmware/firmware-update-electricity": "11.1",
    "firmware/firmware-update-gas": "11.1",
    "firmware/firmware-activation-electricity": "11.3",
    "firmware/firmware-activation-gas": "11.3",
    "firmware/firmware-update-and-activation-electricity-several-devices": "11.1 11.3 11.3",
    "change_of_supplier/change-of-supplier-gain-esme-credit": COS_GAIN_E_CR,
    "change_of_supplier/change-of-supplier-gain-gsme-credit": COS_GAIN_G_CR,
    "change_of_supplier/change-of-supplier-gain-esme-prepayment": COS_GAIN_E_PP,
    "change_of_supplier/change-of-supplier-gain-gsme-prepayment": COS_GAIN_G_PP,
    "change_of_supplier/change-of-supplier-loss-esme-credit": "4.6.1 5.3?",
    "change_of_supplier/change-of-supplier-loss-gsme-credit": "4.6.1 5.3?",
    "change_of_supplier/change-of-supplier-loss-esme-prepayment": "4.3 2.3 1.6 4.6.1 5.3?",
    "change_of_supplier/change-of-supplier-loss-gsme-prepayment": "4.3 2.3 1.6 4.6.1 5.3?",
    # as the SEC Smart Change of Supplier guidance draws it: P302 closing and opening reads, anomaly detection
    "change_of_supplier/change-of-supplier-closing-and-opening-reads-p302-esme": "4.6.1 4.6.1",
    "change_of_supplier/change-of-supplier-the-dcc-quarantines-what-exceeds-the-new-supplier-s-anomaly-detection-"
    "threshold-esme": "4.1.1 4.1.1 4.18 4.1.1",
    "change_of_supplier/change-of-supplier-gain-the-new-supplier-s-sr-areas-in-its-own-order-esme-credit":
        "6.23 6.20.1 6.11 6.8 8.9 1.1.1 6.25 7.2 7.3 7.2 7.1 6.14.1 7.5 7.6 7.5 7.5 7.8 3.4 1.6",
    "org_certificate/organisation-certificate-update-gas": "6.15.1 6.15.1",
    "org_certificate/organisation-certificate-update-electricity": "6.15.1",
    "org_certificate/organisation-certificate-update-gas-credit": "6.15.1 6.15.1",
    "org_certificate/organisation-certificate-update-electricity-credit": "6.15.1",
    # the same where the test set holds an HCALCS: "Update Digital Signature in HCALCS using SR 6.15.1"
    "org_certificate/organisation-certificate-update-electricity-with-an-hcalcs": "6.15.1 6.15.1",
    "device_certificate/device-certificate-update-gas": REKEY,
    "device_certificate/device-certificate-update-gpf": REKEY,
    "device_certificate/device-certificate-update-electricity": REKEY,
    "dsp_schedule/dsp-schedule-management-electricity": "5.3 5.1",
    "dsp_schedule/dsp-schedule-management-gas": "5.3 5.1",
    "price_update/price-update-electricity": "1.2.1 4.4.2",
    "price_update/price-update-gas": "1.2.1 4.4.2",
    "ihd/ihd-exchange-electricity-site": "8.8.2 8.11 8.11 8.7.2",
    "ihd/ihd-exchange-gas-site": "8.8.2 8.11 8.11 8.7.2",
    "ihd/esme-exchange-re-pairing-with-ihd": "8.8.2 8.7.2",
    "ihd/gsme-exchange-re-pairing-with-gpf": "8.8.2 8.7.2",
    "change_of_tenancy/cot-move-out-electricity-cr": COT_OUT_CR,
    "change_of_tenancy/cot-move-out-gas-cr": COT_OUT_CR,
    "change_of_tenancy/cot-move-out-electricity-pp": COT_OUT_PP,
    "change_of_tenancy/cot-move-out-gas-pp": COT_OUT_PP,
    "change_of_tenancy/change-of-tenancy-move-in-elec-credit-no-mode-change": COT_IN,
    "change_of_tenancy/change-of-tenancy-move-in-gas-credit-no-mode-change": COT_IN,
    "change_of_tenancy/change-of-tenancy-move-in-elec-prepayment-no-mode-change": COT_IN,
    "change_of_tenancy/change-of-tenancy-move-in-gas-prepayment-no-mode-change": COT_IN,
    "change_of_tenancy/change-of-tenancy-move-in-elec-pp-to-cr-mode-change": COT_IN_PP_CR,
    "change_of_tenancy/change-of-tenancy-move-in-gas-pp-to-cr-mode-change": COT_IN_PP_CR,
    "change_of_tenancy/change-of-tenancy-move-in-elec-cr-to-pp-mode-change": COT_IN_CR_PP,
    "change_of_tenancy/change-of-tenancy-move-in-gas-cr-to-pp-mode-change": COT_IN_CR_PP,
    "decommission/device-de-commission-esme-credit": DECOM_E_CR,
    "decommission/device-de-commission-esme-prepayment": DECOM_E_PP,
    "decommission/device-de-commission-gsme-credit": DECOM_G_CR,
    "decommission/device-de-commission-gsme-prepayment": DECOM_G_PP,
    "meter_reading/meter-reading-electricity-mid-night": "4.6.1",
    "meter_reading/meter-reading-gas-mid-night": "4.6.1",
    "meter_reading/meter-reading-electricity-half-hourly": "4.8.1",
    "meter_reading/meter-reading-gas-half-hourly": "4.8.1",
    "meter_reading/meter-reading-electricity-consumption-data": "4.17",
    "meter_reading/meter-reading-gas-consumption-data": "4.17",
    "meter_reading/meter-reading-electricity-instantaneous-read": "4.1.1 4.1.2",
    "meter_reading/meter-reading-gas-instantaneous-read": "4.1.1 4.1.2",
    "meter_reading/meter-reading-pp-data-electricity-billing-data-log": "4.4.3",
    "meter_reading/meter-reading-pp-data-gas-billing-data-log": "4.4.3",
    "prepayment_data/prepayment-data-electricity-mid-night": "4.14",
    "prepayment_data/prepayment-data-gas-mid-night": "4.14",
    "prepayment_data/prepayment-data-electricity-instantaneous": "4.3",
    "prepayment_data/prepayment-data-gas-instantaneous": "4.3",
}
