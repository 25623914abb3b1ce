"""The public surface, pinned: a name added to or dropped from an ``__all__`` is a decision
that shows in a diff of this file (as httpx pins its own)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "aisec_nb": [
        "Monitor", "__version__", "build_profile", "check_dataframe", "compare_to_profile",
        "load_ipython_extension", "safe_load", "scan_model_file", "scan_path",
        "unload_ipython_extension",
    ],
    "aisec_nb.data": [
        "ROLES", "check_dataframe", "content_hash", "file_sha256",
    ],
    "aisec_nb.drift": [
        "ColumnDrift", "DriftConfig", "DriftReport", "Monitor", "OODResult", "Profile",
        "WindowedReport", "build_profile", "compare_profiles", "compare_to_profile",
        "compare_windows", "drift_config", "merge_profiles",
    ],
    "aisec_nb.guard": [
        "GuardEvent", "REFUSED_VERDICTS", "WARN_OPT_OUT", "add_listener", "allow_warn",
        "check_path", "check_pickle_bytes", "check_pickle_stream", "decide", "forget_trusted",
        "is_on", "patched", "refusal_message", "remove_listener", "safe_load", "switch_off",
        "switch_on", "trust", "warn_allowed",
    ],
    "aisec_nb.lint": [
        "LintFinding", "LintReport", "discover_notebooks", "lint_notebook", "lint_paths",
    ],
    "aisec_nb.rules": [
        "AREAS", "Rule", "by_code", "find", "guideline_subsections", "load", "make_finding",
        "rule", "rules",
    ],
    "aisec_nb.jupyter": [
        "load_ipython_extension", "monitor_widget", "record_monitor", "unload_ipython_extension",
    ],
    "aisec_nb.errors": [
        "AisecError", "GuardRefusal", "NotebookError", "RecordError", "UnreadableInputError",
        "UsageError",
    ],
    "aisec_nb.settings": [
        "LintSettings", "SECTIONS", "ScanSettings", "Settings", "TOOL_KEY", "default_settings",
        "find_pyproject", "load_settings", "settings_from_table",
    ],
    "aisec_nb.transport": [
        "Entry", "FRAGMENT_KINDS", "KEYED_SLOTS", "MIME_TYPE", "NotebookEvidence", "SINGLE_SLOTS",
        "build_bundle", "check_fragment", "empty_record", "escape", "fragment_entry",
        "make_fragment", "merge_entries", "metadata_entries", "output_entries", "plain_summary",
        "read_record",
    ],
    "aisec_nb.record": [
        "AnyCheck", "CheckResult", "ColumnSchema", "DataCheck", "DataFinding", "DataParameters",
        "DataSummary", "Finding", "GuardCheck", "GuardParameters", "Histogram", "KNOWN_CHECKS",
        "LabelSummary", "Location", "ModelCheck", "MonitorSummary", "NotebookRecord",
        "SCHEMA_FILE", "SCHEMA_VERSION", "SEVERITY_ORDER", "ScanParameters", "ScanSummary",
        "ScannedFile", "Severity", "Target", "TargetKind", "Timing", "ToolInfo", "VERDICT_ORDER",
        "Verdict", "check_from_json", "make_check", "record_json_schema", "render_json_schema",
        "shipped_json_schema", "sort_findings", "to_json", "utc_now", "worst_verdict",
    ],
    "aisec_nb.scan": [
        "Policy", "directory_digest", "hash_file", "load_policy", "scan_model_file", "scan_path",
        "scan_pickle_at", "sniff_format", "verdict_of",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names_are_exactly_these(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == PUBLIC[module]


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_resolves(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if getattr(mod, name, None) is None]
    assert missing == []
