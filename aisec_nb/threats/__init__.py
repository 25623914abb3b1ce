"""Threat modelling: the guideline's questionnaire and a risk register, as data and rules.

* :mod:`.bank`: the question bank (``bank.json``, schema ``bank.schema.json``), layered with an
  organisation's and a project's own (:mod:`.settings`), references resolved in the shipped
  ATLAS, OWASP and NIST tables (:mod:`.refs`);
* :mod:`.scoring`: the OWASP Risk Rating (coarse levels or 16 factors), inherent and residual;
* :mod:`.evidence`: which checks recorded in the notebook support an answer;
* :mod:`.assess`: the questionnaire's state and the threat model it gives;
* :mod:`.model`: the threat model as the Record keeps it (``metadata.aisec.threat_model``);
* :mod:`.lint`: the threat model's lint rules (``AISEC-THR-*``);
* :mod:`.export`: CSV, JSON and Markdown.

``%aisec threats`` (the notebook) and ``aisec-nb threats`` (the command line) are its faces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .assess import Questionnaire
    from .bank import Bank, Question, RiskTemplate, builtin_bank, load_bank
    from .model import ThreatModel

_LAZY = {
    "Bank": "aisec_nb.threats.bank",
    "Question": "aisec_nb.threats.bank",
    "RiskTemplate": "aisec_nb.threats.bank",
    "builtin_bank": "aisec_nb.threats.bank",
    "load_bank": "aisec_nb.threats.bank",
    "Questionnaire": "aisec_nb.threats.assess",
    "ThreatModel": "aisec_nb.threats.model",
}

__all__ = ["Bank", "Question", "Questionnaire", "RiskTemplate", "ThreatModel", "builtin_bank",
           "load_bank"]

__getattr__ = lazy_attributes(__name__, _LAZY)
