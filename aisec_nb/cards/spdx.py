"""SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.

The model is an ``ai_AIPackage``, every dataset a ``dataset_DatasetPackage`` linked by
``trainedOn`` (evaluation data: ``testedOn``); the licence is one ``hasDeclaredLicense`` and one
``hasConcludedLicense`` relationship to a licence expression; model files and hashed datasets are
``verifiedUsing`` SHA-256 hashes.

SPDX requires properties a notebook cannot know by itself (research §4.4): the supplier
(``suppliedBy``: the card's first owner), the release time (``releaseTime``) and the download
location (``downloadLocation``), with the version and the licence. :func:`spdx_needs` names the
card fields they come from that a card lacks, and the export refuses a card without them, so the
form can ask.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..errors import UsageError
from .cyclonedx import serial_number
from .fields import parse_date
from .licenses import licence_ref, spdx_id
from .model import ModelCard
from .text import iso_utc, items, rows, text, usable

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPDX_NEEDS = ("version", "owners", "license", "download_location", "release_time")
"""The card fields behind SPDX's required properties: packageVersion, suppliedBy, the declared
and concluded licence, downloadLocation, releaseTime."""
SAFETY = {"critical": "serious", "serious": "serious", "high": "high", "medium": "medium",
          "low": "low"}
_HEX64 = re.compile(r"^[a-fA-F0-9]{64}$")


def spdx_needs(card: ModelCard) -> list[str]:
    """The fields of :data:`SPDX_NEEDS` the card has no usable value for."""
    out = [k for k in SPDX_NEEDS if usable(card, k) is None]
    if "release_time" not in out:
        try:
            parse_date(usable(card, "release_time"))
        except ValueError:
            out.append("release_time")
    return out


def _time(value: Any) -> str:
    return iso_utc(_dt.datetime.combine(parse_date(value), _dt.time(), _dt.timezone.utc))


def build_spdx(card: ModelCard) -> dict[str, Any]:
    """The SPDX document as JSON-LD data; :class:`UsageError` names the fields it needs."""
    needs = spdx_needs(card)
    if needs:
        raise UsageError("an SPDX 3.0.1 export needs " + ", ".join(needs) + " (SPDX requires "
                         "the version, the supplier, the licence, the download location and "
                         "the release time); fill them in the card")
    # The CycloneDX serial's UUID: one card, one id in both exports.
    space = serial_number(card).removeprefix("urn:uuid:")
    base = f"urn:aisec-nb:{space}"

    def sid(kind: str, n: int | str = "") -> str:
        return f"{base}:{kind}{n}"

    created = iso_utc(card.recorded_at)
    graph: list[dict[str, Any]] = []
    info = "_:creationinfo"
    owners = rows(card, "owners")
    agents = []
    for i, owner in enumerate(owners):
        agent: dict[str, Any] = {"type": "Agent", "spdxId": sid("agent", i),
                                 "creationInfo": info, "name": str(owner.get("name") or
                                                                   owner.get("contact"))}
        if owner.get("contact"):
            agent["externalIdentifier"] = [{"type": "ExternalIdentifier",
                                            "externalIdentifierType": "email" if "@" in str(
                                                owner["contact"]) else "other",
                                            "identifier": str(owner["contact"])}]
        agents.append(agent)
    tool = {"type": "Tool", "spdxId": sid("tool"), "creationInfo": info,
            "name": f"aisec-nb {__version__}"}
    graph.append({"type": "CreationInfo", "@id": info, "created": created,
                  "createdBy": [a["spdxId"] for a in agents], "createdUsing": [tool["spdxId"]],
                  "specVersion": "3.0.1"})
    graph += agents
    graph.append(tool)
    supplier = agents[0]["spdxId"]
    release = _time(usable(card, "release_time"))
    model: dict[str, Any] = {
        "type": "ai_AIPackage", "spdxId": sid("model"), "creationInfo": info,
        "name": str(usable(card, "name") or "model"),
        "software_packageVersion": str(usable(card, "version")),
        "software_downloadLocation": str(usable(card, "download_location")),
        "software_primaryPurpose": "model", "releaseTime": release, "suppliedBy": supplier,
        "originatedBy": [a["spdxId"] for a in agents],
    }
    if usable(card, "summary"):
        model["summary"] = str(usable(card, "summary"))
    if usable(card, "task"):
        model["ai_domain"] = [str(usable(card, "task"))]
    arch = usable(card, "architecture")
    if isinstance(arch, Mapping):
        kinds = [str(arch[k]) for k in ("family", "name") if arch.get(k)]
        if kinds:
            model["ai_typeOfModel"] = kinds
    limits = items(card, "limitations") + [f"failure mode: {f}" for f in
                                           items(card, "failure_modes")]
    limits += [f"out of scope: {u}" for u in items(card, "out_of_scope_uses")]
    if limits:
        model["ai_limitation"] = "; ".join(limits)
    if items(card, "intended_uses"):
        model["ai_informationAboutApplication"] = "; ".join(items(card, "intended_uses"))
    sensitive = usable(card, "uses_sensitive_personal_data")
    if sensitive in ("yes", "no"):
        model["ai_useSensitivePersonalInformation"] = sensitive
    if usable(card, "autonomy") in ("yes", "no", "noAssertion"):
        model["ai_autonomyType"] = usable(card, "autonomy")
    hyper = [{"type": "DictionaryEntry", "key": str(h["name"]), "value": text(h.get("value"))}
             for h in rows(card, "hyperparameters") if h.get("name")]
    if hyper:
        model["ai_hyperparameter"] = hyper
    metrics = [{"type": "DictionaryEntry", "key": str(m["type"]) + (
        f" ({m['slice']})" if m.get("slice") else ""), "value": text(m.get("value"))}
        for m in rows(card, "metrics") if m.get("type")]
    if metrics:
        model["ai_metric"] = metrics
    if usable(card, "explainability"):
        model["ai_modelExplainability"] = [str(usable(card, "explainability"))]
    if usable(card, "preprocessing"):
        model["ai_modelDataPreprocessing"] = [str(usable(card, "preprocessing"))]
    threat = usable(card, "threat_model")
    if isinstance(threat, Mapping) and str(threat.get("residual_risk")) in SAFETY:
        model["ai_safetyRiskAssessment"] = SAFETY[str(threat["residual_risk"])]
    hashes = [{"type": "Hash", "algorithm": "sha256", "hashValue": str(a["sha256"]).lower()}
              for a in rows(card, "artifacts") if _HEX64.match(str(a.get("sha256", "")))]
    if hashes:
        model["verifiedUsing"] = hashes
    graph.append(model)

    licence = str(usable(card, "license"))
    expression = {"type": "simplelicensing_LicenseExpression", "spdxId": sid("license"),
                  "creationInfo": info,
                  "simplelicensing_licenseExpression": spdx_id(licence) or licence_ref(licence)}
    graph.append(expression)
    relationships = [("hasDeclaredLicense", [expression["spdxId"]]),
                     ("hasConcludedLicense", [expression["spdxId"]])]
    trained: list[str] = []
    tested: list[str] = []
    for i, row in enumerate(rows(card, "datasets", sources=True)):
        source = str(row.get("source", ""))
        checked = card.evidence.get(source[6:]) if source.startswith("check:") else None
        built = iso_utc(checked.recorded_at) if checked and checked.recorded_at else release
        dataset: dict[str, Any] = {
            "type": "dataset_DatasetPackage", "spdxId": sid("dataset", i), "creationInfo": info,
            "name": str(row.get("name") or f"dataset {i + 1}"),
            "dataset_datasetType": ["structured"],
            "software_primaryPurpose": "data",
            "software_downloadLocation": str(row.get("uri") or usable(card, "download_location")),
            "builtTime": built, "releaseTime": release,
            "originatedBy": [a["spdxId"] for a in agents],
        }
        if row.get("role"):
            dataset["dataset_intendedUse"] = f"{row['role']} data"
        if row.get("contains_pii") in ("yes", "no"):
            dataset["dataset_hasSensitivePersonalInformation"] = row["contains_pii"]
        if isinstance(row.get("rows"), int):
            dataset["dataset_datasetSize"] = row["rows"]
        if _HEX64.match(str(row.get("sha256", ""))):
            dataset["verifiedUsing"] = [{"type": "Hash", "algorithm": "sha256",
                                         "hashValue": str(row["sha256"]).lower()}]
        graph.append(dataset)
        (tested if row.get("role") == "evaluation" else trained).append(dataset["spdxId"])
    if trained:
        relationships.append(("trainedOn", trained))
    if tested:
        relationships.append(("testedOn", tested))
    for n, (kind, targets) in enumerate(relationships):
        graph.append({"type": "Relationship", "spdxId": sid("relationship", n),
                      "creationInfo": info, "from": model["spdxId"], "relationshipType": kind,
                      "to": targets})
    elements = [g["spdxId"] for g in graph if "spdxId" in g]
    graph.append({"type": "SpdxDocument", "spdxId": sid("document"), "creationInfo": info,
                  "name": f"model card of {model['name']}",
                  "profileConformance": ["core", "software", "ai", "dataset",
                                         "simpleLicensing"],
                  "rootElement": [model["spdxId"]], "element": elements})
    return {"@context": CONTEXT, "@graph": graph}


def export_spdx(card: ModelCard) -> str:
    """The SPDX document as JSON-LD text."""
    return json.dumps(build_spdx(card), indent=2, ensure_ascii=False) + "\n"
