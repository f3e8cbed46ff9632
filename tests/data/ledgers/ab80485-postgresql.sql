--
-- PostgreSQL database dump
--

\restrict Jv7IGpa8BPcoFWmoFQYDItPHkJTR6iqDtQ3a6KOAgVwloZCVMeSLcfhOmjzALh3

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: criterion_evidence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.criterion_evidence (
    id bigint NOT NULL,
    criterion text NOT NULL,
    status text NOT NULL,
    reference text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at text NOT NULL
);


--
-- Name: criterion_evidence_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.criterion_evidence_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: criterion_evidence_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.criterion_evidence_id_seq OWNED BY public.criterion_evidence.id;


--
-- Name: devices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devices (
    run_id integer NOT NULL,
    asset text NOT NULL,
    test_set text NOT NULL,
    ch_variant text NOT NULL,
    device_type text NOT NULL,
    manufacturer text NOT NULL,
    model text NOT NULL,
    standard text NOT NULL,
    gbcs_version text NOT NULL,
    zigbee_version text NOT NULL,
    silicon text NOT NULL,
    sub_ghz integer NOT NULL
);


--
-- Name: executions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.executions (
    id bigint NOT NULL,
    run_id integer NOT NULL,
    node text NOT NULL,
    scenario_id text NOT NULL,
    baseline text,
    test_set text,
    ch_variant text,
    devices text NOT NULL,
    outcome text NOT NULL,
    started_at text,
    finished_at text NOT NULL,
    duration_s real NOT NULL,
    virtual_s real NOT NULL,
    service_requests integer NOT NULL,
    failed_step text,
    error text,
    evidence text,
    blocked text,
    CONSTRAINT executions_outcome_check CHECK ((outcome = ANY (ARRAY['passed'::text, 'failed'::text, 'blocked'::text, 'skipped'::text, 'not_run'::text])))
);


--
-- Name: executions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.executions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: executions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.executions_id_seq OWNED BY public.executions.id;


--
-- Name: issue_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.issue_links (
    issue_id text NOT NULL,
    execution_id integer,
    scenario_id text NOT NULL
);


--
-- Name: planned; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.planned (
    run_id integer NOT NULL,
    node text NOT NULL,
    scenario_id text NOT NULL,
    title text NOT NULL,
    family text NOT NULL,
    tags text NOT NULL,
    priority text,
    business_critical integer NOT NULL,
    requirements text NOT NULL,
    baseline text,
    test_set text,
    ch_variant text,
    dual_band integer NOT NULL,
    kind text NOT NULL,
    service_user text NOT NULL,
    dsp_csp text NOT NULL,
    hub_standard text NOT NULL,
    meter_standard text NOT NULL,
    devices text NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    id bigint NOT NULL,
    started_at text NOT NULL,
    finished_at text,
    status text NOT NULL,
    lab text NOT NULL,
    selection text NOT NULL,
    argv text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    reason text
);


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.runs_id_seq OWNED BY public.runs.id;


--
-- Name: settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.settings (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: suspensions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.suspensions (
    id bigint NOT NULL,
    asset text NOT NULL,
    device_type text NOT NULL,
    condition integer NOT NULL,
    reason text NOT NULL,
    suspended_at text NOT NULL,
    resumed_at text,
    fix_reference text,
    CONSTRAINT suspensions_condition_check CHECK (((condition >= 1) AND (condition <= 4)))
);


--
-- Name: suspensions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.suspensions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: suspensions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.suspensions_id_seq OWNED BY public.suspensions.id;


--
-- Name: test_issues; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.test_issues (
    id text NOT NULL,
    title text NOT NULL,
    severity integer NOT NULL,
    owner text NOT NULL,
    status text NOT NULL,
    security integer NOT NULL,
    raised_at text NOT NULL,
    closed_at text,
    work_off_plan text,
    plan_due text,
    CONSTRAINT test_issues_severity_check CHECK (((severity >= 1) AND (severity <= 5)))
);


--
-- Name: criterion_evidence id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.criterion_evidence ALTER COLUMN id SET DEFAULT nextval('public.criterion_evidence_id_seq'::regclass);


--
-- Name: executions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.executions ALTER COLUMN id SET DEFAULT nextval('public.executions_id_seq'::regclass);


--
-- Name: runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs ALTER COLUMN id SET DEFAULT nextval('public.runs_id_seq'::regclass);


--
-- Name: suspensions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.suspensions ALTER COLUMN id SET DEFAULT nextval('public.suspensions_id_seq'::regclass);


--
-- Data for Name: criterion_evidence; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.criterion_evidence VALUES (1, 'DIT.11', 'not_met', 'run 1: HAN captures of 2 scenarios (706 frames): 2.4 GHz: 33 request/response exchanges, p50 5.9 ms, p95 11.0 ms, max 12.1 ms; sub-GHz: none', 'dit run', '2026-12-05T02:23:30+00:00');
INSERT INTO public.criterion_evidence VALUES (2, 'DIT.8', 'not_met', 'run 1: no sub-GHz traffic captured: duty cycle and frequency agility cannot be evaluated', 'dit run', '2026-12-05T02:23:30+00:00');
INSERT INTO public.criterion_evidence VALUES (3, 'DIT.EN.1', 'met', 'DIT entry gate minutes 2026-10-01', 'Lab lead', '2026-12-05T02:23:33+00:00');
INSERT INTO public.criterion_evidence VALUES (4, 'DIT.EX.11', 'not_met', 'board pack v1', 'Lab lead', '2026-12-05T02:23:33+00:00');


--
-- Data for Name: devices; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.devices VALUES (1, 'CH-78-1', 'SB11-core', 'CHTS v1.1 Single Band', 'CHF', 'Elm Communications', 'E111', 'CHTS v1.1', '2.0', '1.4', 'Silicon Labs', 0);
INSERT INTO public.devices VALUES (1, 'ESME-78-1-alder', 'SB11-core', 'CHTS v1.1 Single Band', 'ESME', 'Alder Metering', '0A31', 'SMETS2 v3.0', '2.0', '1.4', 'Silicon Labs', 0);
INSERT INTO public.devices VALUES (1, 'ESME-78-2-birch', 'SB11-core', 'CHTS v1.1 Single Band', 'ESME', 'Birch Instruments', '0B31', 'SMETS2 v3.0', '2.0', '1.4', 'NXP', 0);
INSERT INTO public.devices VALUES (1, 'GSME-78-1-alder', 'SB11-core', 'CHTS v1.1 Single Band', 'GSME', 'Alder Metering', '0A32', 'SMETS2 v3.0', '2.0', '1.4', 'Silicon Labs', 1);
INSERT INTO public.devices VALUES (1, 'GSME-78-2-birch', 'SB11-core', 'CHTS v1.1 Single Band', 'GSME', 'Birch Instruments', '0B32', 'SMETS2 v3.0', '2.0', '1.4', 'NXP', 1);
INSERT INTO public.devices VALUES (1, 'PPMID-78-1-damson', 'SB11-core', 'CHTS v1.1 Single Band', 'PPMID', 'Damson Displays', '0D33', 'SMETS2 v3.0', '2.0', '1.4', 'Silicon Labs', 1);
INSERT INTO public.devices VALUES (1, 'PPMID-78-2-birch', 'SB11-core', 'CHTS v1.1 Single Band', 'PPMID', 'Birch Instruments', '0B33', 'SMETS2 v3.0', '2.0', '1.4', 'NXP', 1);
INSERT INTO public.devices VALUES (1, 'IHD-78-1-damson', 'SB11-core', 'CHTS v1.1 Single Band', 'IHD', 'Damson Displays', '0D34', 'SMETS2 v3.0', '2.0', '1.4', 'Silicon Labs', 1);
INSERT INTO public.devices VALUES (1, 'IHD-78-2-larch', 'SB11-core', 'CHTS v1.1 Single Band', 'IHD', 'Larch Home Displays', '0E24', 'SMETS2 v2.0', '1.0', '1.2a', 'Texas Instruments', 0);
INSERT INTO public.devices VALUES (1, 'HHT-78', 'SB11-core', 'CHTS v1.1 Single Band', 'HHT', 'DIT0', '0001', '', '', '', '', 0);


--
-- Data for Name: executions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.executions VALUES (1, 1, 'features/test_business_scenarios.py::test_install__commission__esme_credit[B6-SB11-core]', 'install_commission/install-commission-esme-credit', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', '["ESME-78-1-alder"]', 'blocked', '2026-12-05T02:23:29.660+00:00', '2026-12-05T02:23:29.660+00:00', 0, 0, 0, NULL, 'ESME-78-1-alder suspended (condition 4: the device is bricked or frozen: no response to any service request, no communication): frozen after 11.1', NULL, 'suspended');
INSERT INTO public.executions VALUES (2, 1, 'features/test_business_scenarios.py::test_install__commission__gsme_credit[B6-SB11-core]', 'install_commission/install-commission-gsme-credit', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', '["GSME-78-1-alder"]', 'passed', '2026-12-05T02:23:29.679+00:00', '2026-12-05T02:23:30.291+00:00', 0.612, 501, 31, NULL, NULL, '/tmp/ledger-make/pg/reports/evidence/install_commission__install-commission-gsme-credit@B6-SB11-core', NULL);
INSERT INTO public.executions VALUES (3, 1, 'features/test_business_scenarios.py::test_install__commission__esme_prepayment[B6-SB11-core]', 'install_commission/install-commission-esme-prepayment', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', '["ESME-78-1-alder"]', 'blocked', '2026-12-05T02:23:30.377+00:00', '2026-12-05T02:23:30.377+00:00', 0, 0, 0, NULL, 'ESME-78-1-alder suspended (condition 4: the device is bricked or frozen: no response to any service request, no communication): frozen after 11.1', NULL, 'suspended');
INSERT INTO public.executions VALUES (4, 1, 'features/test_business_scenarios.py::test_install__commission__gsme_prepayment[B6-SB11-core]', 'install_commission/install-commission-gsme-prepayment', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', '["GSME-78-1-alder"]', 'passed', '2026-12-05T02:23:30.384+00:00', '2026-12-05T02:23:30.833+00:00', 0.449, 591, 32, NULL, NULL, '/tmp/ledger-make/pg/reports/evidence/install_commission__install-commission-gsme-prepayment@B6-SB11-core', NULL);


--
-- Data for Name: issue_links; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.issue_links VALUES ('TI-0001', 1, 'install_commission/install-commission-esme-credit');
INSERT INTO public.issue_links VALUES ('TI-0002', NULL, 'install_commission/install-commission-gsme-prepayment');


--
-- Data for Name: planned; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_no_wan_installation_using_lcd__esme_credit[B6-SB11-core]', 'no_wan_lcd/no-wan-installation-using-lcd-esme-credit', 'no WAN Installation Using LCD - ESME Credit', 'no_wan_lcd', '["DIT.1", "DIT.13", "ESME", "IS", "Medium", "SR-1.1.1", "SR-12.2", "SR-6.21", "SR-6.8", "SR-8.11", "SR-8.13", "SR-8.14.2", "credit", "no_wan_lcd"]', 'Medium', 0, '["DIT.1", "DIT.13"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "HHT-78"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_no_wan_installation_using_lcd__gsme_credit[B6-SB11-core]', 'no_wan_lcd/no-wan-installation-using-lcd-gsme-credit', 'no WAN Installation Using LCD - GSME Credit', 'no_wan_lcd', '["DIT.13", "DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-12.2", "SR-6.21", "SR-6.8", "SR-8.11", "SR-8.13", "SR-8.14.2", "SR-8.7.2", "credit", "no_wan_lcd"]', 'Medium', 0, '["DIT.13", "DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "HHT-78"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_no_wan_installation_using_lcd__esme_prepayment[B6-SB11-core]', 'no_wan_lcd/no-wan-installation-using-lcd-esme-prepayment', 'no WAN Installation Using LCD - ESME Prepayment', 'no_wan_lcd', '["DIT.1", "DIT.13", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-12.2", "SR-2.1", "SR-2.3", "SR-6.21", "SR-6.8", "SR-8.11", "SR-8.13", "SR-8.14.2", "no_wan_lcd", "prepayment"]', 'Medium', 0, '["DIT.1", "DIT.13"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "HHT-78"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_no_wan_installation_using_lcd__gsme_prepayment[B6-SB11-core]', 'no_wan_lcd/no-wan-installation-using-lcd-gsme-prepayment', 'no WAN Installation Using LCD - GSME Prepayment', 'no_wan_lcd', '["DIT.13", "DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-12.2", "SR-2.1", "SR-2.3", "SR-6.21", "SR-6.8", "SR-8.11", "SR-8.13", "SR-8.14.2", "SR-8.7.2", "no_wan_lcd", "prepayment"]', 'Medium', 0, '["DIT.13", "DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "HHT-78"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_chf_replacement_by_electricity_supplier_elec_only_site[B6-SB11-core]', 'chf_replacement/chf-replacement-by-electricity-supplier-elec-only-site', 'CHF Replacement by Electricity Supplier (Elec Only Site)', 'chf_replacement', '["DIT.1", "ESME", "High", "IS", "SR-8.12.1", "SR-8.3", "business_critical", "chf_replacement", "credit"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_chf_replacement_by_gas_supplier_gas_only_site[B6-SB11-core]', 'chf_replacement/chf-replacement-by-gas-supplier-gas-only-site', 'CHF Replacement by Gas Supplier (Gas Only Site)', 'chf_replacement', '["DIT.2", "GS", "GSME", "High", "SR-5.1", "SR-6.15.2", "SR-6.17", "SR-6.21", "SR-8.12.1", "SR-8.12.2", "SR-8.3", "SR-8.7.2", "SR-8.8.2", "business_critical", "chf_replacement", "credit"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_chf_replacement_who_dual_fuel_site_each_fuel_supplied_by_different_supplier[B6-SB11-core-by Electricity Supplier]', 'chf_replacement/chf-replacement-by-electricity-supplier-dual-fuel-site-each-fuel-supplied-by-different-supplier', 'CHF Replacement by Electricity Supplier (Dual Fuel Site- each fuel supplied by different supplier)', 'chf_replacement', '["DIT.1", "DIT.2", "ESME", "GS", "GSME", "High", "IS", "SR-5.1", "SR-6.15.2", "SR-6.17", "SR-6.21", "SR-8.12.1", "SR-8.12.2", "SR-8.3", "SR-8.7.2", "SR-8.8.2", "business_critical", "chf_replacement", "credit"]', 'High', 1, '["DIT.1", "DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_chf_replacement_who_dual_fuel_site_each_fuel_supplied_by_different_supplier[B6-SB11-core-identified by Gas Supplier]', 'chf_replacement/chf-replacement-identified-by-gas-supplier-dual-fuel-site-each-fuel-supplied-by-different-supplier', 'CHF Replacement identified by Gas Supplier (Dual Fuel Site- each fuel supplied by different supplier)', 'chf_replacement', '["DIT.1", "DIT.2", "ESME", "GS", "GSME", "High", "IS", "SR-5.1", "SR-6.15.2", "SR-6.17", "SR-6.21", "SR-8.12.1", "SR-8.12.2", "SR-8.3", "SR-8.7.2", "SR-8.8.2", "business_critical", "chf_replacement", "credit"]', 'High', 1, '["DIT.1", "DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_mode__pp_to_cr_product_change__fuel[B6-SB11-core-Elec-ESME-Import Supplier]', 'change_of_mode/change-of-mode-pp-to-cr-product-change-elec', 'Change of Mode - PP to CR (Product Change) - Elec', 'change_of_mode', '["DIT.1", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "business_critical", "change_of_mode", "optional_srs", "prepayment"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_mode__pp_to_cr_product_change__fuel[B6-SB11-core-Gas-GSME-Gas Supplier]', 'change_of_mode/change-of-mode-pp-to-cr-product-change-gas', 'Change of Mode - PP to CR (Product Change) - Gas', 'change_of_mode', '["DIT.2", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "business_critical", "change_of_mode", "optional_srs", "prepayment"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_mode__cr_to_pp_product_change__fuel[B6-SB11-core-Elec-ESME-Import Supplier]', 'change_of_mode/change-of-mode-cr-to-pp-product-change-elec', 'Change of Mode - CR to PP (Product Change) - Elec', 'change_of_mode', '["DIT.1", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "business_critical", "change_of_mode", "credit", "optional_srs"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_mode__cr_to_pp_product_change__fuel[B6-SB11-core-Gas-GSME-Gas Supplier]', 'change_of_mode/change-of-mode-cr-to-pp-product-change-gas', 'Change of Mode - CR to PP (Product Change) - Gas', 'change_of_mode', '["DIT.2", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "business_critical", "change_of_mode", "credit", "optional_srs"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_gain__esme_credit[B6-SB11-core]', 'change_of_supplier/change-of-supplier-gain-esme-credit', 'Change of Supplier (Gain) - ESME Credit', 'change_of_supplier', '["DIT.1", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.12", "SR-6.22", "SR-6.23", "SR-6.25", "SR-6.4.1", "SR-6.8", "business_critical", "change_of_supplier", "credit"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_gain__gsme_credit[B6-SB11-core]', 'change_of_supplier/change-of-supplier-gain-gsme-credit', 'Change of Supplier (Gain) - GSME Credit', 'change_of_supplier', '["DIT.2", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.22", "SR-6.23", "SR-6.6", "SR-6.8", "business_critical", "change_of_supplier", "credit"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_gain__esme_prepayment[B6-SB11-core]', 'change_of_supplier/change-of-supplier-gain-esme-prepayment', 'Change of Supplier (Gain) - ESME Prepayment', 'change_of_supplier', '["DIT.1", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.12", "SR-6.22", "SR-6.23", "SR-6.25", "SR-6.4.1", "SR-6.8", "business_critical", "change_of_supplier", "prepayment"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_gain__gsme_prepayment[B6-SB11-core]', 'change_of_supplier/change-of-supplier-gain-gsme-prepayment', 'Change of Supplier (Gain) - GSME Prepayment', 'change_of_supplier', '["DIT.2", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.22", "SR-6.23", "SR-6.6", "SR-6.8", "business_critical", "change_of_supplier", "prepayment"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_loss__meter_credit[B6-SB11-core-ESME]', 'change_of_supplier/change-of-supplier-loss-esme-credit', 'Change of Supplier (Loss) - ESME Credit', 'change_of_supplier', '["DIT.1", "ESME", "IS", "Medium", "SR-4.6.1", "SR-5.3", "business_critical", "change_of_supplier", "credit", "optional_srs"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_loss__meter_credit[B6-SB11-core-GSME]', 'change_of_supplier/change-of-supplier-loss-gsme-credit', 'Change of Supplier (Loss) - GSME Credit', 'change_of_supplier', '["DIT.2", "GS", "GSME", "Medium", "SR-4.6.1", "SR-5.3", "business_critical", "change_of_supplier", "credit", "optional_srs"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_loss__meter_prepayment[B6-SB11-core-ESME]', 'change_of_supplier/change-of-supplier-loss-esme-prepayment', 'Change of Supplier (Loss) - ESME Prepayment', 'change_of_supplier', '["DIT.1", "ESME", "IS", "Medium", "SR-1.6", "SR-2.3", "SR-4.3", "SR-4.6.1", "SR-5.3", "business_critical", "change_of_supplier", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_supplier_loss__meter_prepayment[B6-SB11-core-GSME]', 'change_of_supplier/change-of-supplier-loss-gsme-prepayment', 'Change of Supplier (Loss) - GSME Prepayment', 'change_of_supplier', '["DIT.2", "GS", "GSME", "Medium", "SR-1.6", "SR-2.3", "SR-4.3", "SR-4.6.1", "SR-5.3", "business_critical", "change_of_supplier", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_cot_move_out_fuel__cr[B6-SB11-core-Electricity-ESME-Import Supplier-ESME]', 'change_of_tenancy/cot-move-out-electricity-cr', 'CoT (Move Out) Electricity - CR', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_cot_move_out_fuel__cr[B6-SB11-core-Gas-GSME-Gas Supplier-GPF]', 'change_of_tenancy/cot-move-out-gas-cr', 'CoT (Move Out) Gas - CR', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_cot_move_out_fuel__pp[B6-SB11-core-Electricity-ESME-Import Supplier-ESME]', 'change_of_tenancy/cot-move-out-electricity-pp', 'CoT (Move Out) Electricity - PP', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_cot_move_out_fuel__pp[B6-SB11-core-Gas-GSME-Gas Supplier-GPF]', 'change_of_tenancy/cot-move-out-gas-pp', 'CoT (Move Out) Gas - PP', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_mode_name_no_mode_change[B6-SB11-core-Elec-Credit-credit-ESME-Import Supplier-ESME]', 'change_of_tenancy/change-of-tenancy-move-in-elec-credit-no-mode-change', 'Change of Tenancy Move In - Elec Credit (no Mode Change)', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit", "optional_srs"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_mode_name_no_mode_change[B6-SB11-core-Gas-Credit-credit-GSME-Gas Supplier-GPF]', 'change_of_tenancy/change-of-tenancy-move-in-gas-credit-no-mode-change', 'Change of Tenancy Move In - Gas Credit (no Mode Change)', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit", "optional_srs"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_certificate_update__device_name[B6-SB11-core-GPF-GPF-GSME-Gas Supplier]', 'device_certificate/device-certificate-update-gpf', 'Device Certificate Update - GPF', 'device_certificate', '["DIT.2", "GPF", "GS", "Medium", "SR-6.15.2", "SR-6.17", "credit", "device_certificate"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_mode_name_no_mode_change[B6-SB11-core-Elec-Prepayment-prepayment-ESME-Import Supplier-ESME]', 'change_of_tenancy/change-of-tenancy-move-in-elec-prepayment-no-mode-change', 'Change of Tenancy Move In - Elec Prepayment (no Mode Change)', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_mode_name_no_mode_change[B6-SB11-core-Gas-Prepayment-prepayment-GSME-Gas Supplier-GPF]', 'change_of_tenancy/change-of-tenancy-move-in-gas-prepayment-no-mode-change', 'Change of Tenancy Move In - Gas Prepayment (no Mode Change)', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_pp_to_cr_mode_change[B6-SB11-core-Elec-ESME-Import Supplier-ESME]', 'change_of_tenancy/change-of-tenancy-move-in-elec-pp-to-cr-mode-change', 'Change of Tenancy Move In - Elec (PP to CR Mode Change)', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.14", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_pp_to_cr_mode_change[B6-SB11-core-Gas-GSME-Gas Supplier-GPF]', 'change_of_tenancy/change-of-tenancy-move-in-gas-pp-to-cr-mode-change', 'Change of Tenancy Move In - Gas (PP to CR Mode Change)', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.14", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "optional_srs", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_cr_to_pp_mode_change[B6-SB11-core-Elec-ESME-Import Supplier-ESME]', 'change_of_tenancy/change-of-tenancy-move-in-elec-cr-to-pp-mode-change', 'Change of Tenancy Move In - Elec (CR to PP Mode Change)', 'change_of_tenancy', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit", "optional_srs"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_change_of_tenancy_move_in__fuel_cr_to_pp_mode_change[B6-SB11-core-Gas-GSME-Gas Supplier-GPF]', 'change_of_tenancy/change-of-tenancy-move-in-gas-cr-to-pp-mode-change', 'Change of Tenancy Move In - Gas (CR to PP Mode Change)', 'change_of_tenancy', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.1", "SR-3.2", "SR-3.5", "SR-4.4.2", "SR-4.6.1", "SR-5.1", "SR-5.3", "business_critical", "change_of_tenancy", "credit", "optional_srs"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_dsp_schedule_management__fuel[B6-SB11-core-Electricity-ESME-Import Supplier-1]', 'dsp_schedule/dsp-schedule-management-electricity', 'DSP Schedule Management - Electricity', 'dsp_schedule', '["DIT.1", "ESME", "IS", "Medium", "SR-5.1", "SR-5.3", "business_critical", "credit", "dsp_schedule"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_dsp_schedule_management__fuel[B6-SB11-core-Gas-GSME-Gas Supplier-1]', 'dsp_schedule/dsp-schedule-management-gas', 'DSP Schedule Management - Gas', 'dsp_schedule', '["DIT.2", "GS", "GSME", "Medium", "SR-5.1", "SR-5.3", "business_critical", "credit", "dsp_schedule"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_decommission__esme_credit[B6-SB11-core]', 'decommission/device-de-commission-esme-credit', 'Device De-Commission - ESME Credit', 'decommission', '["DIT.1", "ESME", "IS", "Medium", "SR-1.5", "SR-3.2", "SR-4.1.1", "SR-4.1.2", "SR-6.13", "SR-6.20.1", "SR-8.11", "SR-8.3", "business_critical", "credit", "decommission"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_decommission__esme_prepayment[B6-SB11-core]', 'decommission/device-de-commission-esme-prepayment', 'Device De-Commission - ESME Prepayment', 'decommission', '["DIT.1", "ESME", "IS", "Medium", "SR-1.5", "SR-2.3", "SR-3.2", "SR-4.1.1", "SR-4.1.2", "SR-4.3", "SR-6.13", "SR-6.20.1", "SR-8.11", "SR-8.3", "business_critical", "decommission", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_decommission__gsme_credit[B6-SB11-core]', 'decommission/device-de-commission-gsme-credit', 'Device De-Commission - GSME Credit', 'decommission', '["DIT.2", "GS", "GSME", "Medium", "SR-1.5", "SR-3.2", "SR-4.1.1", "SR-4.1.2", "SR-6.13", "SR-6.20.1", "SR-8.11", "SR-8.3", "SR-8.8.2", "business_critical", "credit", "decommission"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_decommission__gsme_prepayment[B6-SB11-core]', 'decommission/device-de-commission-gsme-prepayment', 'Device De-Commission - GSME Prepayment', 'decommission', '["DIT.2", "GS", "GSME", "Medium", "SR-1.5", "SR-2.3", "SR-3.2", "SR-4.1.1", "SR-4.1.2", "SR-4.3", "SR-6.13", "SR-6.20.1", "SR-8.11", "SR-8.3", "SR-8.8.2", "business_critical", "decommission", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_certificate_update__device_name[B6-SB11-core-Gas-GSME-GSME-Gas Supplier]', 'device_certificate/device-certificate-update-gas', 'Device Certificate Update - Gas', 'device_certificate', '["DIT.2", "GS", "GSME", "Medium", "SR-6.15.2", "SR-6.17", "credit", "device_certificate"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_half_hourly[B6-SB11-core-Gas-GSME-Gas Supplier]', 'meter_reading/meter-reading-gas-half-hourly', 'Meter Reading - Gas (Half Hourly)', 'meter_reading', '["DIT.2", "GS", "GSME", "Medium", "SR-4.8.1", "credit", "meter_reading"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_device_certificate_update__device_name[B6-SB11-core-Electricity-ESME-ESME-Import Supplier]', 'device_certificate/device-certificate-update-electricity', 'Device Certificate Update - Electricity', 'device_certificate', '["DIT.1", "ESME", "IS", "Medium", "SR-6.15.2", "SR-6.17", "credit", "device_certificate"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_firmware_update__fuel[B6-SB11-core-Electricity-ESME-ESME 2-Import Supplier]', 'firmware/firmware-update-electricity', 'Firmware Update - Electricity', 'firmware', '["DIT.1", "ESME", "High", "IS", "SR-11.1", "business_critical", "credit", "firmware"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "ESME-78-2-birch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_firmware_update__fuel[B6-SB11-core-Gas-GSME-GSME 2-Gas Supplier]', 'firmware/firmware-update-gas', 'Firmware Update - Gas', 'firmware', '["DIT.2", "GS", "GSME", "High", "SR-11.1", "business_critical", "credit", "firmware"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "GSME-78-2-birch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_firmware_activation__fuel[B6-SB11-core-Electricity-ESME-Import Supplier]', 'firmware/firmware-activation-electricity', 'Firmware Activation - Electricity', 'firmware', '["DIT.1", "ESME", "High", "IS", "SR-11.3", "business_critical", "credit", "firmware"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_firmware_activation__fuel[B6-SB11-core-Gas-GSME-Gas Supplier]', 'firmware/firmware-activation-gas', 'Firmware Activation - Gas', 'firmware', '["DIT.2", "GS", "GSME", "High", "SR-11.3", "business_critical", "credit", "firmware"]', 'High', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_ihd_exchange__electricity_site[B6-SB11-core]', 'ihd/ihd-exchange-electricity-site', 'IHD exchange - Electricity site', 'ihd', '["DIT.12", "ESME", "High", "IS", "SR-8.11", "SR-8.7.2", "SR-8.8.2", "business_critical", "credit", "ihd"]', 'High', 1, '["DIT.12"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "IHD-78-1-damson", "IHD-78-2-larch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_ihd_exchange__gas_site[B6-SB11-core]', 'ihd/ihd-exchange-gas-site', 'IHD exchange - Gas site', 'ihd', '["DIT.12", "GS", "GSME", "High", "SR-8.11", "SR-8.7.2", "SR-8.8.2", "business_critical", "credit", "ihd"]', 'High', 1, '["DIT.12"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "IHD-78-1-damson", "IHD-78-2-larch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_esme_exchange__repairing_with_ihd[B6-SB11-core]', 'ihd/esme-exchange-re-pairing-with-ihd', 'ESME exchange - re-pairing with IHD', 'ihd', '["DIT.12", "ESME", "High", "IS", "SR-8.7.2", "SR-8.8.2", "business_critical", "credit", "ihd"]', 'High', 1, '["DIT.12"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "ESME-78-2-birch", "IHD-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_gsme_exchange__repairing_with_gpf[B6-SB11-core]', 'ihd/gsme-exchange-re-pairing-with-gpf', 'GSME exchange - re-pairing with GPF', 'ihd', '["DIT.12", "GS", "GSME", "High", "SR-8.7.2", "SR-8.8.2", "business_critical", "credit", "ihd"]', 'High', 1, '["DIT.12"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "GSME-78-2-birch", "IHD-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_install__commission__esme_credit[B6-SB11-core]', 'install_commission/install-commission-esme-credit', 'Install & Commission - ESME Credit', 'install_commission', '["DIT.1", "DIT.15", "DIT.9", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.12", "SR-6.15.2", "SR-6.17", "SR-6.20.1", "SR-6.21", "SR-6.22", "SR-6.25", "SR-6.4.1", "SR-6.8", "SR-8.1.1", "SR-8.11", "business_critical", "credit", "install_commission"]', 'High', 1, '["DIT.1", "DIT.15", "DIT.9"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_install__commission__gsme_credit[B6-SB11-core]', 'install_commission/install-commission-gsme-credit', 'Install & Commission - GSME Credit', 'install_commission', '["DIT.15", "DIT.2", "DIT.9", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.15.2", "SR-6.17", "SR-6.20.1", "SR-6.21", "SR-6.22", "SR-6.6", "SR-6.8", "SR-8.1.1", "SR-8.11", "SR-8.7.2", "business_critical", "credit", "install_commission"]', 'High', 1, '["DIT.15", "DIT.2", "DIT.9"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_install__commission__esme_prepayment[B6-SB11-core]', 'install_commission/install-commission-esme-prepayment', 'Install & Commission - ESME Prepayment', 'install_commission', '["DIT.1", "DIT.15", "DIT.9", "ESME", "High", "IS", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.12", "SR-6.15.2", "SR-6.17", "SR-6.20.1", "SR-6.21", "SR-6.22", "SR-6.25", "SR-6.4.1", "SR-6.8", "SR-8.1.1", "SR-8.11", "business_critical", "install_commission", "prepayment"]', 'High', 1, '["DIT.1", "DIT.15", "DIT.9"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_install__commission__gsme_prepayment[B6-SB11-core]', 'install_commission/install-commission-gsme-prepayment', 'Install & Commission - GSME Prepayment', 'install_commission', '["DIT.15", "DIT.2", "DIT.9", "GS", "GSME", "High", "SR-1.1.1", "SR-1.5", "SR-1.6", "SR-2.1", "SR-2.3", "SR-3.4", "SR-4.4.2", "SR-5.1", "SR-6.15.2", "SR-6.17", "SR-6.20.1", "SR-6.21", "SR-6.22", "SR-6.6", "SR-6.8", "SR-8.1.1", "SR-8.11", "SR-8.7.2", "business_critical", "install_commission", "prepayment"]', 'High', 1, '["DIT.15", "DIT.2", "DIT.9"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_mid_night[B6-SB11-core-Electricity-ESME-Import Supplier]', 'meter_reading/meter-reading-electricity-mid-night', 'Meter Reading - Electricity (Mid Night)', 'meter_reading', '["DIT.1", "ESME", "IS", "Medium", "SR-4.6.1", "credit", "meter_reading"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_mid_night[B6-SB11-core-Gas-GSME-Gas Supplier]', 'meter_reading/meter-reading-gas-mid-night', 'Meter Reading - Gas (Mid Night)', 'meter_reading', '["DIT.2", "GS", "GSME", "Medium", "SR-4.6.1", "credit", "meter_reading"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_half_hourly[B6-SB11-core-Electricity-ESME-Import Supplier]', 'meter_reading/meter-reading-electricity-half-hourly', 'Meter Reading - Electricity (Half Hourly)', 'meter_reading', '["DIT.1", "ESME", "IS", "Medium", "SR-4.8.1", "credit", "meter_reading"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_consumption_data[B6-SB11-core-Electricity-ESME-Import Supplier-ESME]', 'meter_reading/meter-reading-electricity-consumption-data', 'Meter Reading - Electricity (Consumption Data)', 'meter_reading', '["DIT.1", "ESME", "IS", "Medium", "SR-4.17", "credit", "meter_reading"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_consumption_data[B6-SB11-core-Gas-GSME-Gas Supplier-GPF]', 'meter_reading/meter-reading-gas-consumption-data', 'Meter Reading - Gas (Consumption Data)', 'meter_reading', '["DIT.2", "GS", "GSME", "Medium", "SR-4.17", "credit", "meter_reading"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_instantaneous_read[B6-SB11-core-Electricity-ESME-Import Supplier]', 'meter_reading/meter-reading-electricity-instantaneous-read', 'Meter Reading - Electricity (Instantaneous Read)', 'meter_reading', '["DIT.1", "ESME", "IS", "Medium", "SR-4.1.1", "SR-4.1.2", "credit", "meter_reading"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__fuel_instantaneous_read[B6-SB11-core-Gas-GSME-Gas Supplier]', 'meter_reading/meter-reading-gas-instantaneous-read', 'Meter Reading - Gas (Instantaneous Read)', 'meter_reading', '["DIT.2", "GS", "GSME", "Medium", "SR-4.1.1", "SR-4.1.2", "credit", "meter_reading"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__pp_data__fuel_billing_data_log[B6-SB11-core-Electricity-ESME-Import Supplier]', 'meter_reading/meter-reading-pp-data-electricity-billing-data-log', 'Meter Reading & PP Data - Electricity (Billing Data Log)', 'meter_reading', '["DIT.1", "ESME", "IS", "Medium", "SR-4.4.3", "business_critical", "credit", "meter_reading"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_meter_reading__pp_data__fuel_billing_data_log[B6-SB11-core-Gas-GSME-Gas Supplier]', 'meter_reading/meter-reading-pp-data-gas-billing-data-log', 'Meter Reading & PP Data - Gas (Billing Data Log)', 'meter_reading', '["DIT.2", "GS", "GSME", "Medium", "SR-4.4.3", "business_critical", "credit", "meter_reading"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_organisation_certificate_update__gas[B6-SB11-core]', 'org_certificate/organisation-certificate-update-gas', 'Organisation Certificate Update - Gas', 'org_certificate', '["DIT.2", "GS", "GSME", "Medium", "SR-6.15.1", "business_critical", "org_certificate", "prepayment"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_organisation_certificate_update__electricity[B6-SB11-core]', 'org_certificate/organisation-certificate-update-electricity', 'Organisation Certificate Update - Electricity', 'org_certificate', '["DIT.1", "ESME", "IS", "Medium", "SR-6.15.1", "business_critical", "org_certificate", "prepayment"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_ppmid_exchange__electricity_site[B6-SB11-core]', 'ppmid/ppmid-exchange-electricity-site', 'PPMID exchange - Electricity site', 'ppmid', '["DIT.4", "ESME", "High", "IS", "SR-8.11", "SR-8.3", "SR-8.7.1", "SR-8.7.2", "SR-8.8.1", "SR-8.8.2", "business_critical", "ppmid", "prepayment"]', 'High', 1, '["DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "PPMID-78-1-damson", "PPMID-78-2-birch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_ppmid_exchange__gas_site[B6-SB11-core]', 'ppmid/ppmid-exchange-gas-site', 'PPMID exchange - Gas site', 'ppmid', '["DIT.4", "GS", "GSME", "High", "SR-8.11", "SR-8.3", "SR-8.7.1", "SR-8.7.2", "SR-8.8.1", "SR-8.8.2", "business_critical", "ppmid", "prepayment"]', 'High', 1, '["DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "GSME-78-1-alder", "PPMID-78-1-damson", "PPMID-78-2-birch"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_ppmid_rejoin_after_device_rekey_process[B6-SB11-core]', 'ppmid/ppmid-re-join-after-device-rekey-process', 'PPMID re-join after Device rekey process', 'ppmid', '["DIT.4", "GS", "GSME", "High", "SR-8.7.2", "business_critical", "ppmid", "prepayment"]', 'High', 1, '["DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "PPMID-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_esme_exchange__repairing_with_ppmid[B6-SB11-core]', 'ppmid/esme-exchange-re-pairing-with-ppmid', 'ESME exchange - re-pairing with PPMID', 'ppmid', '["DIT.4", "ESME", "High", "IS", "SR-8.7.1", "SR-8.7.2", "SR-8.8.1", "SR-8.8.2", "business_critical", "ppmid", "prepayment"]', 'High', 1, '["DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "ESME-78-2-birch", "PPMID-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_gsme_exchange__repairing_with_ppmid[B6-SB11-core]', 'ppmid/gsme-exchange-re-pairing-with-ppmid', 'GSME exchange - re-pairing with PPMID', 'ppmid', '["DIT.4", "GS", "GSME", "High", "SR-8.7.1", "SR-8.7.2", "SR-8.8.1", "SR-8.8.2", "business_critical", "ppmid", "prepayment"]', 'High', 1, '["DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder", "GSME-78-2-birch", "PPMID-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_device_top_up_via_wan[B6-SB11-core]', 'prepayment_top_up/prepayment-device-top-up-via-wan', 'Prepayment Device ToP Up via WAN', 'prepayment_top_up', '["DIT.1", "ESME", "High", "IS", "SR-2.2", "business_critical", "prepayment", "prepayment_top_up"]', 'High', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_device_top_up__directly_via_ppmidmeter[B6-SB11-core]', 'prepayment_top_up/prepayment-device-top-up-directly-via-ppmid-meter', 'Prepayment Device ToP Up - Directly via PPMID/Meter', 'prepayment_top_up', '["DIT.1", "DIT.4", "ESME", "High", "IS", "business_critical", "prepayment", "prepayment_top_up"]', 'High', 1, '["DIT.1", "DIT.4"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder", "PPMID-78-1-damson"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_data__fuel_mid_night[B6-SB11-core-Electricity-ESME-Import Supplier]', 'prepayment_data/prepayment-data-electricity-mid-night', 'Prepayment Data - Electricity (Mid Night)', 'prepayment_data', '["DIT.1", "ESME", "IS", "Medium", "SR-4.14", "prepayment", "prepayment_data"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_data__fuel_mid_night[B6-SB11-core-Gas-GSME-Gas Supplier]', 'prepayment_data/prepayment-data-gas-mid-night', 'Prepayment Data - Gas (Mid Night)', 'prepayment_data', '["DIT.2", "GS", "GSME", "Medium", "SR-4.14", "prepayment", "prepayment_data"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_data__fuel_instantaneous[B6-SB11-core-Electricity-ESME-Import Supplier]', 'prepayment_data/prepayment-data-electricity-instantaneous', 'Prepayment Data - Electricity (Instantaneous)', 'prepayment_data', '["DIT.1", "ESME", "IS", "Medium", "SR-4.3", "prepayment", "prepayment_data"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_prepayment_data__fuel_instantaneous[B6-SB11-core-Gas-GSME-Gas Supplier]', 'prepayment_data/prepayment-data-gas-instantaneous', 'Prepayment Data - Gas (Instantaneous)', 'prepayment_data', '["DIT.2", "GS", "GSME", "Medium", "SR-4.3", "prepayment", "prepayment_data"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_price_update__fuel[B6-SB11-core-Electricity-ESME-Import Supplier]', 'price_update/price-update-electricity', 'Price Update - Electricity', 'price_update', '["DIT.1", "ESME", "IS", "Medium", "SR-1.2.1", "SR-4.4.2", "business_critical", "credit", "price_update"]', 'Medium', 1, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_price_update__fuel[B6-SB11-core-Gas-GSME-Gas Supplier]', 'price_update/price-update-gas', 'Price Update - Gas', 'price_update', '["DIT.2", "GS", "GSME", "Medium", "SR-1.2.1", "SR-4.4.2", "business_critical", "credit", "price_update"]', 'Medium', 1, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_tariff_update_product_change__fuel[B6-SB11-core-Electricity-ESME-Import Supplier]', 'tariff_update/tariff-update-product-change-electricity', 'Tariff Update (Product Change) - Electricity', 'tariff_update', '["DIT.1", "ESME", "IS", "Medium", "SR-1.1.1", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "credit", "optional_srs", "tariff_update"]', 'Medium', 0, '["DIT.1"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["ESME-78-1-alder"]');
INSERT INTO public.planned VALUES (1, 'features/test_business_scenarios.py::test_tariff_update_product_change__fuel[B6-SB11-core-Gas-GSME-Gas Supplier]', 'tariff_update/tariff-update-product-change-gas', 'Tariff Update (Product Change) - Gas', 'tariff_update', '["DIT.2", "GS", "GSME", "Medium", "SR-1.1.1", "SR-3.1", "SR-4.4.2", "SR-5.1", "SR-5.3", "credit", "optional_srs", "tariff_update"]', 'Medium', 0, '["DIT.2"]', 'B6', 'SB11-core', 'CHTS v1.1 Single Band', 0, 'functional', 'R2.0', 'R2.0', 'CHTS v1.1', 'SMETS2 v3.0', '["GSME-78-1-alder"]');


--
-- Data for Name: runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.runs VALUES (1, '2026-12-05T02:23:28+00:00', '2026-12-05T02:23:31+00:00', 'completed', 'Emulated lab', '-m ''install_commission''', '["/tmp/rel/features", "-p", "no:cacheprovider", "-p", "no:terminal", "--dit-progress", "--dit-report-dir=/tmp/ledger-make/pg/reports", "--junitxml=/tmp/ledger-make/pg/reports/junit.xml", "--alluredir=/tmp/ledger-make/pg/reports/allure-results", "--clean-alluredir", "--rootdir=/tmp/rel", "-m", "install_commission"]', 'vm', 2805, NULL);


--
-- Data for Name: settings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.settings VALUES ('name', 'DIT R2.0');
INSERT INTO public.settings VALUES ('quality_gate', '2026-11-02');


--
-- Data for Name: suspensions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.suspensions VALUES (1, 'ESME-78-1-alder', 'ESME', 4, 'frozen after 11.1', '2026-12-05T02:23:27+00:00', '2026-12-05T02:23:31+00:00', 'CRB-12');
INSERT INTO public.suspensions VALUES (2, 'GSME-78-2-birch', 'GSME', 1, 'I&C refused with E110103', '2026-12-05T02:23:31+00:00', NULL, NULL);


--
-- Data for Name: test_issues; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.test_issues VALUES ('TI-0001', 'ESME frozen after 11.1', 2, 'Alder Metering', 'open', 0, '2026-11-20', NULL, 'WOP-7', '2026-12-01');
INSERT INTO public.test_issues VALUES ('TI-0002', 'GSME prepayment slow', 4, 'CSP N', 'closed', 0, '2026-11-21', '2026-11-22', NULL, NULL);


--
-- Name: criterion_evidence_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.criterion_evidence_id_seq', 4, true);


--
-- Name: executions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.executions_id_seq', 4, true);


--
-- Name: runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.runs_id_seq', 1, true);


--
-- Name: suspensions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.suspensions_id_seq', 2, true);


--
-- Name: criterion_evidence criterion_evidence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.criterion_evidence
    ADD CONSTRAINT criterion_evidence_pkey PRIMARY KEY (id);


--
-- Name: devices devices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devices
    ADD CONSTRAINT devices_pkey PRIMARY KEY (run_id, test_set, asset);


--
-- Name: executions executions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.executions
    ADD CONSTRAINT executions_pkey PRIMARY KEY (id);


--
-- Name: planned planned_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.planned
    ADD CONSTRAINT planned_pkey PRIMARY KEY (run_id, node);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);


--
-- Name: suspensions suspensions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.suspensions
    ADD CONSTRAINT suspensions_pkey PRIMARY KEY (id);


--
-- Name: test_issues test_issues_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.test_issues
    ADD CONSTRAINT test_issues_pkey PRIMARY KEY (id);


--
-- Name: executions_by_run; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX executions_by_run ON public.executions USING btree (run_id, node);


--
-- Name: devices devices_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devices
    ADD CONSTRAINT devices_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: executions executions_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.executions
    ADD CONSTRAINT executions_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- Name: issue_links issue_links_issue_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.issue_links
    ADD CONSTRAINT issue_links_issue_id_fkey FOREIGN KEY (issue_id) REFERENCES public.test_issues(id);


--
-- Name: planned planned_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.planned
    ADD CONSTRAINT planned_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id);


--
-- PostgreSQL database dump complete
--

\unrestrict Jv7IGpa8BPcoFWmoFQYDItPHkJTR6iqDtQ3a6KOAgVwloZCVMeSLcfhOmjzALh3

