"""Allure labels for every scenario -- epic = family, feature, story, severity from its priority, its tags, links to
the DIT requirements it serves -- and each step's evidence as an attachment. Written in the process that runs the
scenario (allure-pytest collects them there)."""

from __future__ import annotations

import allure

from harness import scenarios
from harness.adapters.service_user import Evidence
from harness.ledger import ExecutionRecord
from harness.run.evidence_files import content, step_name

SEVERITY = {"High": allure.severity_level.CRITICAL, "Medium": allure.severity_level.NORMAL,
            "Low": allure.severity_level.MINOR}


def label(record: ExecutionRecord, feature: str) -> None:
    allure.dynamic.epic(record.family)
    allure.dynamic.feature(feature)
    allure.dynamic.story(record.title)
    priority = next((t for t in record.tags if t in SEVERITY), None)
    if priority:
        allure.dynamic.severity(SEVERITY[priority])
    for tag in record.tags:
        allure.dynamic.tag(tag)
        if scenarios.REQUIREMENT_TAG.match(tag):
            allure.dynamic.link(f"requirement:{tag}", name=tag)


def attach(number: int, label: str, item: Evidence) -> None:
    kind = allure.attachment_type.XML if item.kind in ("duis", "mmc") else allure.attachment_type.TEXT
    allure.attach(content(item), name=step_name(number, label), attachment_type=kind)
