"""The CycloneDX ML-BOM (JSON), spec 1.6 by default, 1.5 and 1.7 selectable.

``metadata.component`` is the model (``machine-learning-model``) with its ``modelCard``, licences,
hashes (the model files as nested ``file`` components), the base model as a pedigree ancestor and
external references; ``components`` holds one ``data`` component per dataset and prompt (with
hashes) and one ``library`` per framework; ``dependencies`` says the model depends on them. Card
fields CycloneDX has no place for are ``aisec:<field>`` properties (the schema refuses unknown
keys inside ``modelCard``). The serial number is a UUID of the card's content, so a second
export of the same card is the same document.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..errors import UsageError
from ..record import to_json
from .licenses import spdx_id
from .model import ModelCard
from .text import iso_utc, items, rows, text, usable

SPEC_VERSIONS = ("1.5", "1.6", "1.7")
DEFAULT_SPEC = "1.6"
APPROACHES = ("supervised", "unsupervised", "reinforcement-learning", "semi-supervised",
              "self-supervised")
_HEX = re.compile(r"^(?:[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|"
                  r"[a-fA-F0-9]{128})$")
_ALG = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 96: "SHA-384", 128: "SHA-512"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(?:https?|mailto|urn|file):\S+$")


def _ref(kind: str, name: Any) -> str:
    return f"{kind}:{re.sub(r'[^A-Za-z0-9._/-]+', '-', str(name)).strip('-') or kind}"


def _hashes(digest: Any) -> list[dict[str, str]]:
    if isinstance(digest, str) and _HEX.match(digest):
        return [{"alg": _ALG[len(digest)] if len(digest) != 64 else "SHA-256",
                 "content": digest.lower()}]
    return []


def _prop(name: str, value: Any) -> dict[str, str]:
    return {"name": f"aisec:{name}", "value": text(value)}


def serial_number(card: ModelCard) -> str:
    """``urn:uuid:`` + a UUID 5 of the card's canonical JSON."""
    canonical = json.dumps(to_json(card), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'aisec-nb:card:' + digest)}"


def _licences(card: ModelCard) -> list[dict[str, Any]]:
    licence = usable(card, "license")
    if not licence:
        return []
    known = spdx_id(str(licence))
    return [{"license": {"id": known} if known else {"name": str(licence)}}]


def _contact(owner: Mapping[str, Any]) -> dict[str, str]:
    name, contact = str(owner.get("name") or ""), str(owner.get("contact") or "")
    out = {"name": name or contact}
    if _EMAIL.match(contact):
        out["email"] = contact
    elif contact:
        out["name"] = f"{name} ({contact})" if name else contact
    return out


def _url(value: str) -> str | None:
    value = value.strip()
    if _EMAIL.match(value):
        return f"mailto:{value}"
    if _URL.match(value) or (value and " " not in value):
        return value
    return None


def _metrics(card: ModelCard) -> list[dict[str, Any]]:
    out = []
    for m in rows(card, "metrics"):
        if not m.get("type") or "value" not in m:
            continue
        entry: dict[str, Any] = {"type": str(m["type"]), "value": text(m["value"])}
        if m.get("slice"):
            entry["slice"] = str(m["slice"])
        ci = m.get("ci")
        if isinstance(ci, (list, tuple)) and len(ci) == 2:
            entry["confidenceInterval"] = {"lowerBound": text(ci[0]), "upperBound": text(ci[1])}
        elif isinstance(ci, Mapping) and {"lower", "upper"} <= set(ci):
            entry["confidenceInterval"] = {"lowerBound": text(ci["lower"]),
                                           "upperBound": text(ci["upper"])}
        out.append(entry)
    return out


def _properties(card: ModelCard) -> list[dict[str, str]]:
    props: list[dict[str, str]] = []
    props += [_prop("out_of_scope_use", v) for v in items(card, "out_of_scope_uses")]
    props += [_prop("failure_mode", v) for v in items(card, "failure_modes")]
    props += [_prop("guardrail", g) for g in rows(card, "guardrails")]
    for key in ("retention_time", "review_frequency", "last_reviewed", "selection_rationale",
                "user_data_usage", "uses_sensitive_personal_data", "autonomy", "explainability",
                "preprocessing", "threat_model", "signature", "environment"):
        value = usable(card, key)
        if value is not None:
            props.append(_prop(key, value))
    if card.review_due is not None:
        props.append(_prop("review_due", card.review_due.isoformat()))
    arch = usable(card, "architecture")
    if isinstance(arch, Mapping) and arch.get("n_parameters") not in (None, ""):
        props.append(_prop("n_parameters", arch["n_parameters"]))
    props += [_prop(f"hyperparameter:{h.get('name')}", h.get("value"))
              for h in rows(card, "hyperparameters") if h.get("name")]
    props += [_prop("security_evaluation", e) for e in rows(card, "security_evaluation")]
    props += [_prop("open_risk", r) for r in rows(card, "open_risks")]
    props += [_prop(f"source:{k}", v.source) for k, v in card.fields.items()]
    props += [_prop(f"override:{k}", o.source) for k, o in card.overrides.items()]
    props.append(_prop("card_complete", "true" if card.complete else "false"))
    props += [_prop("missing", m) for m in card.missing]
    return props


def _model(card: ModelCard, spec: str, data_refs: list[str]) -> dict[str, Any]:
    name = str(usable(card, "name") or "model")
    model: dict[str, Any] = {"type": "machine-learning-model",
                             "bom-ref": _ref("model", name), "name": name}
    if usable(card, "version"):
        model["version"] = str(usable(card, "version"))
    if usable(card, "summary"):
        model["description"] = str(usable(card, "summary"))
    owners = rows(card, "owners")
    if owners:
        if spec == "1.5":
            model["author"] = ", ".join(_contact(o)["name"] for o in owners)
        else:
            model["authors"] = [_contact(o) for o in owners]
    if _licences(card):
        model["licenses"] = _licences(card)
    artifacts = rows(card, "artifacts")
    if len(artifacts) == 1 and _hashes(artifacts[0].get("sha256")):
        model["hashes"] = _hashes(artifacts[0]["sha256"])
    base = usable(card, "base_model")
    if isinstance(base, Mapping) and base.get("id"):
        ancestor: dict[str, Any] = {"type": "machine-learning-model",
                                    "bom-ref": _ref("base-model", base["id"]),
                                    "name": str(base["id"])}
        if base.get("revision"):
            ancestor["version"] = str(base["revision"])
        if _hashes(base.get("sha256")):
            ancestor["hashes"] = _hashes(base["sha256"])
        model["pedigree"] = {"ancestors": [ancestor]}
    refs: list[dict[str, Any]] = []
    for key, kind in (("security_contact", "security-contact"),
                      ("download_location", "distribution")):
        url = _url(str(usable(card, key) or ""))
        if url:
            refs.append({"type": kind, "url": url})
    signature = usable(card, "signature")
    if isinstance(signature, Mapping) and signature.get("path"):
        refs.append({"type": "attestation", "url": str(signature["path"]),
                     "comment": f"OpenSSF model signing bundle, check verdict "
                                f"{signature.get('verdict', '?')}"})
    threat = usable(card, "threat_model")
    if isinstance(threat, Mapping) and _url(str(threat.get("reference") or "")):
        refs.append({"type": "threat-model", "url": _url(str(threat["reference"])),
                     "comment": f"{threat.get('open_risks', 0)} open risk(s)"})
    refs += [{"type": "documentation", "url": u} for u in items(card, "references")
             if _URL.match(u)]
    if refs:
        model["externalReferences"] = refs
    parameters: dict[str, Any] = {}
    approach = usable(card, "approach")
    if approach in APPROACHES:
        parameters["approach"] = {"type": approach}
    if usable(card, "task"):
        parameters["task"] = str(usable(card, "task"))
    if isinstance(arch := usable(card, "architecture"), Mapping):
        if arch.get("family"):
            parameters["architectureFamily"] = str(arch["family"])
        if arch.get("name"):
            parameters["modelArchitecture"] = str(arch["name"])
    if data_refs:
        parameters["datasets"] = [{"ref": r} for r in data_refs]
    for key, out in (("inputs", "inputs"), ("outputs", "outputs")):
        if usable(card, key):
            parameters[out] = [{"format": str(usable(card, key))}]
    model_card: dict[str, Any] = {}
    if parameters:
        model_card["modelParameters"] = parameters
    metrics = _metrics(card)
    if metrics:
        model_card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    considerations: dict[str, Any] = {}
    for key, out in (("intended_users", "users"), ("intended_uses", "useCases"),
                     ("limitations", "technicalLimitations"),
                     ("tradeoffs", "performanceTradeoffs")):
        if items(card, key):
            considerations[out] = items(card, key)
    if items(card, "fairness"):
        considerations["ethicalConsiderations"] = [{"name": v} for v in items(card, "fairness")]
    if considerations:
        model_card["considerations"] = considerations
    model_card["properties"] = _properties(card)
    model["modelCard"] = model_card
    if artifacts:
        model["components"] = [_file(a) for a in artifacts]
    return model


def _file(artifact: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "file", "bom-ref": _ref("file", artifact.get("path")),
                           "name": str(artifact.get("path") or "model file")}
    if _hashes(artifact.get("sha256")):
        out["hashes"] = _hashes(artifact["sha256"])
    out["properties"] = [_prop(k, artifact[k]) for k in ("format", "size", "scan_verdict")
                         if artifact.get(k) not in (None, "")]
    if not out["properties"]:
        del out["properties"]
    return out


def _data(row: Mapping[str, Any], kind: str) -> dict[str, Any]:
    name = str(row.get("name") or kind)
    entry: dict[str, Any] = {"type": "dataset" if kind == "data" else "configuration",
                             "name": name}
    if kind == "data":
        if _URL.match(str(row.get("uri", ""))):
            entry["contents"] = {"url": str(row["uri"])}
        if row.get("contains_pii") == "yes":
            entry["sensitiveData"] = [f"personal data in {row.get('pii_cells', '?')} cell(s) "
                                      "(counts from the data check; no values)"]
    component: dict[str, Any] = {"type": "data", "bom-ref": _ref(kind, name), "name": name}
    if kind == "prompt" and row.get("version"):
        component["version"] = str(row["version"])
    if _hashes(row.get("sha256")):
        component["hashes"] = _hashes(row["sha256"])
    component["data"] = [entry]
    props = []
    for column in ("role", "rows", "pii_cells", "revision", "license", "uri"):
        if row.get(column) not in (None, ""):
            props.append(_prop("data_role" if column == "role" and kind == "data" else
                               "prompt_role" if column == "role" else column, row[column]))
    if row.get("sha256") and not _hashes(row.get("sha256")):
        props.append(_prop("content_hash", row["sha256"]))
    if props:
        component["properties"] = props
    return component


def build_bom(card: ModelCard, spec: str = DEFAULT_SPEC) -> dict[str, Any]:
    """The ML-BOM of ``card`` as JSON data."""
    if spec not in SPEC_VERSIONS:
        raise UsageError(f"CycloneDX spec {spec!r} is not one of {', '.join(SPEC_VERSIONS)}")
    components = [_data(r, "data") for r in rows(card, "datasets")]
    components += [_data(r, "prompt") for r in rows(card, "prompts")]
    seen: set[str] = set()
    for component in components:  # bom-refs must be unique
        ref, n = component["bom-ref"], 2
        while component["bom-ref"] in seen:
            component["bom-ref"] = f"{ref}-{n}"
            n += 1
        seen.add(component["bom-ref"])
    data_refs = [c["bom-ref"] for c in components if c["data"][0]["type"] == "dataset"]
    for lib in rows(card, "library"):
        if not lib.get("name"):
            continue
        ref = _ref("library", lib["name"])
        if ref in seen:
            continue
        seen.add(ref)
        entry: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": str(lib["name"])}
        if lib.get("version"):
            entry["version"] = str(lib["version"])
            entry["purl"] = f"pkg:pypi/{str(lib['name']).lower()}@{lib['version']}"
        components.append(entry)
    model = _model(card, spec, data_refs)
    bom: dict[str, Any] = {
        "$schema": f"http://cyclonedx.org/schema/bom-{spec}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "serialNumber": serial_number(card),
        "version": 1,
        "metadata": {
            "timestamp": iso_utc(card.recorded_at),
            "tools": {"components": [{"type": "application", "name": "aisec-nb",
                                      "version": __version__}]},
            "component": model,
        },
        "components": components,
        "dependencies": [{"ref": model["bom-ref"],
                          "dependsOn": [c["bom-ref"] for c in components]},
                         *({"ref": c["bom-ref"]} for c in components)],
    }
    return bom


def export_cyclonedx(card: ModelCard, spec: str = DEFAULT_SPEC) -> str:
    """The ML-BOM as JSON text (two-space indent, one trailing newline)."""
    return json.dumps(build_bom(card, spec), indent=2, ensure_ascii=False) + "\n"
