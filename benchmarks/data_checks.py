"""Benchmark of ``check_dataframe`` against deepchecks, ydata-profiling and Presidio.

    python benchmarks/data_checks.py [--rows 1000000] [--anchor-rows 100000] [--repeat 3]
                                     [--no-anchors]

What it does, all in one run:

1. generates a frame with every problem kind injected (``data_generator.py``), a clean frame,
   a test frame (5% copied from training) and a reference frame;
2. runs ``check_dataframe`` on each of them in a fresh child process per repeat and prints median
   CPU seconds, median peak RSS *over the loaded data* (RSS sampled every 5 ms during the call,
   minus RSS just before it) and which injected kinds were found; the clean frame must give no
   finding;
3. at ``--anchor-rows`` it times, each in its own virtual environment under
   ``benchmarks/.envs/`` (created here on first use), deepchecks' ``data_integrity`` suite and
   ydata-profiling's default report description, and our check on the same rows, and prints the
   ratios of the medians;
4. runs Presidio's pattern recognisers (one call per cell, as its batch engine does) and our PII
   scan over the same free-text column and prints time, recall per entity and the ratio.

Pins of the anchor environments (their releases do not import on pandas 3 / numpy 2.4):

* deepchecks 0.19.1: ``numpy<2`` (uses ``np.Inf``), ``pandas<2.3``, ``scikit-learn<1.6`` (scorer
  names), ``category-encoders<2.7``, ``scipy<1.15``, ``pyarrow<20``, ``setuptools<70``
  (``pkg_resources``), ``anywidget``;
* ydata-profiling 4.18.4: its own pins (``pandas<3``, ``numpy<2.4``, ``scipy<1.17``) plus
  ``pyarrow`` to read the data and ``setuptools<70``;
* presidio-analyzer 2.2.x: pattern recognisers only. No spaCy model is downloaded (there is no
  network for it here), so its NER entities are not measured; its e-mail recogniser's
  ``tldextract`` is pointed at the bundled suffix list so it makes no network call.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ENVS = HERE / ".envs"
DATA = HERE / ".data"
ENV_SPECS: dict[str, list[str]] = {
    "deepchecks": [
        "deepchecks==0.19.1",
        "numpy<2",
        "pandas<2.3",
        "scikit-learn<1.6",
        "category-encoders<2.7",
        "scipy<1.15",
        "pyarrow<20",
        "anywidget",
        "setuptools<70",
    ],
    "ydata": ["ydata-profiling==4.18.4", "pyarrow<22", "setuptools<70"],
    "presidio": ["presidio-analyzer==2.2.*"],
}
PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "pii:email",
    "PHONE_NUMBER": "pii:phone",
    "CREDIT_CARD": "pii:card_number",
    "IBAN_CODE": "pii:iban",
    "IP_ADDRESS": "pii:ip_address",
    "US_SSN": "pii:us_ssn",
}
DEEPCHECKS_KINDS = {
    "Single Value in Column": "constant_column",
    "Conflicting Labels": "conflicting_labels",
    "String Mismatch": "category_variants",
    "Data Duplicates": "duplicate_rows",
    "Mixed Nulls": "mixed_null_markers",
    "Mixed Data Types": "mixed_types",
    "Feature Label Correlation": "column_predicts_label",
    "Identifier Label Correlation": "column_predicts_label",
}
YDATA_KINDS = {
    "CONSTANT": "constant_column",
    "DUPLICATES": "duplicate_rows",
    "MISSING": "missing_values",
    "INFINITE": "infinite_values",
    "DIRTY_CATEGORY": "category_variants",
    "IMBALANCE": "near_constant_column",
}


# --- measuring -----------------------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples RSS every 5 ms in a thread; ``over`` is the peak minus RSS at start."""

    def __enter__(self) -> PeakRss:
        self.start = _rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())
        self.over = self.peak - self.start


def _kind_of(finding: Any) -> str:
    kind = str(getattr(finding, "kind", finding.code))
    if kind == "personal_data":
        return f"pii:{finding.pii_kind}"
    if kind == "secret":
        return f"secret:{finding.pii_kind}"
    return kind


def child_ours(path: str, only: str | None = None) -> None:
    """In a fresh process: load the pickled frames, run the check (on ``only`` or both frames),
    print JSON."""
    with open(path, "rb") as fh:
        frames = pickle.load(fh)  # our own file, written by this script a moment ago
    from aisec_nb.data import check_dataframe

    out: dict[str, Any] = {}
    warm = frames["dirty"].head(1000)  # imports and first-call set-up are not the call's cost
    check_dataframe(warm, label="label", test=warm, reference=warm)
    for name in (only,) if only else ("clean", "dirty"):
        kwargs: dict[str, Any] = {}
        if name == "dirty":
            kwargs = {"test": frames["test"], "reference": frames["reference"]}
        cpu, wall = time.process_time(), time.perf_counter()
        with PeakRss() as rss:
            result = check_dataframe(frames[name], label="label", name=name, **kwargs)
        out[name] = {
            "cpu": time.process_time() - cpu,
            "wall": time.perf_counter() - wall,
            "rss_over_mb": rss.over / 2**20,
            "data_mb": rss.start / 2**20,
            "kinds": sorted({_kind_of(f) for f in result.findings}),
        }
    print(json.dumps(out))


DEEPCHECKS_CHILD = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from deepchecks.tabular import Dataset
from deepchecks.tabular.suites import data_integrity
df = pd.read_parquet(sys.argv[1])
cats = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) in ("string", "bool")]
cats = [c for c in cats if c not in ("comment", "customer_id", "label")]
t = time.process_time()
ds = Dataset(df, label="label", cat_features=cats)
result = data_integrity().run(ds)
cpu = time.process_time() - t
failed = sorted({r.get_header() for r in result.get_not_passed_checks()})
print(json.dumps({"cpu": cpu, "failed": failed}))
"""

YDATA_CHILD = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
df = pd.read_parquet(sys.argv[1])
t = time.process_time()
report = ProfileReport(df, progress_bar=False)
description = report.get_description()
cpu = time.process_time() - t
alerts = sorted({a.alert_type.name for a in description.alerts})
print(json.dumps({"cpu": cpu, "alerts": alerts}))
"""

PRESIDIO_CHILD = """
import json, sys, time
import tldextract
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # bundled list, no network
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer, PhoneRecognizer,
    UsSsnRecognizer)
texts = json.load(open(sys.argv[1]))
recognizers = [EmailRecognizer(), PhoneRecognizer(), CreditCardRecognizer(), IbanRecognizer(),
               IpRecognizer(), UsSsnRecognizer()]
t = time.process_time()
found = []
for text in texts:
    kinds = set()
    for r in recognizers:
        kinds.update(x.entity_type for x in r.analyze(text, r.supported_entities, None))
    found.append(sorted(kinds))
print(json.dumps({"cpu": time.process_time() - t, "found": found}))
"""


def ensure_env(name: str) -> Path:
    """The anchor's venv, created (or brought up to the pins above) when needed."""
    folder = ENVS / name
    marker = folder / ".spec"
    spec = "\n".join(ENV_SPECS[name])
    if not (marker.exists() and marker.read_text() == spec):
        print(f"  creating {folder.relative_to(HERE.parent)} ({', '.join(ENV_SPECS[name])})")
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        pip = [str(folder / "bin" / "pip"), "install", "-q", *ENV_SPECS[name]]
        subprocess.run(pip, check=True)
        marker.write_text(spec)
    return folder / "bin" / "python"


def run_child(python: Path | str, code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [str(python), "-c", code, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def ours(frames_path: Path, repeat: int) -> dict[str, Any]:
    """Medians over ``repeat`` runs; each frame is checked in a fresh process of its own, so the
    peak RSS of one call does not depend on what an earlier call left in the allocator."""
    runs = []
    for _ in range(repeat):
        run: dict[str, Any] = {}
        for name in ("clean", "dirty"):
            code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import data_checks as b; "
            code += f"b.child_ours({str(frames_path)!r}, {name!r})"
            run.update(run_child(sys.executable, code))
        runs.append(run)
    return {
        name: {
            "cpu": statistics.median(r[name]["cpu"] for r in runs),
            "wall": statistics.median(r[name]["wall"] for r in runs),
            "rss_over_mb": statistics.median(r[name]["rss_over_mb"] for r in runs),
            "data_mb": statistics.median(r[name]["data_mb"] for r in runs),
            "kinds": runs[0][name]["kinds"],
            "cpu_runs": [round(r[name]["cpu"], 2) for r in runs],
        }
        for name in ("clean", "dirty")
    }


def write_frames(n: int, seed: int = 7) -> tuple[Path, Path, dict[str, Any], Any]:
    from data_generator import make_frames

    clean, dirty, test, reference, truth = make_frames(n, seed)
    DATA.mkdir(parents=True, exist_ok=True)
    frames_path = DATA / f"frames_{n}.pkl"
    with open(frames_path, "wb") as fh:
        pickle.dump({"clean": clean, "dirty": dirty, "test": test, "reference": reference}, fh)
    parquet = DATA / f"dirty_{n}.parquet"
    # Parquet cannot hold a column of ints and strings: the anchors get it as text.
    dirty.astype({"num_products": str}).to_parquet(parquet)
    return frames_path, parquet, truth, dirty


def found_kinds(names: list[str], table: dict[str, str]) -> list[str]:
    return sorted({table[n] for n in names if n in table})


def eleven(kinds: list[str]) -> int:
    from data_generator import RESEARCH_ELEVEN

    have = set(kinds)
    return sum(
        any(k.startswith("secret:") for k in have) if want == "secret:*" else want in have
        for want in RESEARCH_ELEVEN
    )


def pii_comparison(dirty: Any, truth: dict[str, Any], repeat: int) -> None:
    import numpy as np

    from aisec_nb.data.pii import scan_distinct, scan_values

    texts = [str(t) for t in dirty["comment"].tolist()]
    path = DATA / "comments.json"
    path.write_text(json.dumps(texts))
    cpus = []
    for _ in range(repeat):
        t = time.process_time()
        import pandas as pd

        codes, uniques = pd.factorize(pd.Series(texts))
        scan_distinct(uniques, np.bincount(codes, minlength=len(uniques)))
        cpus.append(time.process_time() - t)
    ours_cpu = statistics.median(cpus)
    try:
        presidio = run_child(ensure_env("presidio"), PRESIDIO_CHILD, str(path))
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"  Presidio could not run: {str(exc)[-300:]}")
        return
    print(f"\nPII/secrets over {len(texts):,} text cells (one free-text column)")
    print(f"  ours      {ours_cpu:8.2f} CPU-s  (median of {repeat})")
    print(f"  Presidio  {presidio['cpu']:8.2f} CPU-s  (pattern recognisers, 1 run)")
    print(f"  ratio     {presidio['cpu'] / max(ours_cpu, 1e-9):8.1f}x faster")
    found_by_cell = presidio["found"]
    print("  cells per kind: injected, found among them, and flagged elsewhere in the column")
    print(f"  {'kind':<24}{'injected':>9}{'ours':>7}{'Presidio':>10}{'ours+':>7}{'Presidio+':>11}")
    for kind in [k for k in truth if k.startswith(("pii:", "secret:"))]:
        entity = next((e for e, k in PRESIDIO_KINDS.items() if k == kind), None)
        short = kind.split(":")[1]
        injected = set(truth[kind]["texts"])
        inside = [i for i, t in enumerate(texts) if t in injected]
        outside = [t for t in texts if t not in injected]
        n_ours = _cells(scan_values([texts[i] for i in inside], [1] * len(inside)), short)
        extra_ours = _cells(scan_values(outside, [1] * len(outside)), short)
        if entity is None:
            n_presidio = extra_presidio = "n/a"
        else:
            n_presidio = str(sum(entity in found_by_cell[i] for i in inside))
            extra_presidio = str(
                sum(
                    entity in f
                    for t, f in zip(texts, found_by_cell, strict=True)
                    if t not in injected
                )
            )
        print(
            f"  {kind:<24}{len(inside):>9}{n_ours:>7}{n_presidio:>10}{extra_ours:>7}"
            f"{extra_presidio:>11}"
        )


def _cells(hits: dict[str, Any], kind: str) -> int:
    return int(hits[kind].cells) if kind in hits else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--anchor-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-anchors", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from data_generator import INJECTED

    print(f"generating {args.rows:,} rows …", flush=True)
    frames_path, _, _, _ = write_frames(args.rows)
    big = ours(frames_path, args.repeat)
    dirty, clean = big["dirty"], big["clean"]
    missed = sorted(set(INJECTED) - set(dirty["kinds"]))
    print(f"\naisec-nb check_dataframe at {args.rows:,} rows (medians of {args.repeat})")
    print(
        f"  dirty: {dirty['cpu']:.2f} CPU-s {dirty['cpu_runs']}, wall {dirty['wall']:.2f} s, "
        f"peak RSS +{dirty['rss_over_mb']:.0f} MB over {dirty['data_mb']:.0f} MB loaded"
    )
    print(
        f"  clean: {clean['cpu']:.2f} CPU-s, peak RSS +{clean['rss_over_mb']:.0f} MB, "
        f"findings on the clean frame: {clean['kinds'] or 'none'}"
    )
    print(
        f"  injected kinds found: {len(INJECTED) - len(missed)}/{len(INJECTED)}"
        f"{' missed: ' + ', '.join(missed) if missed else ''}; research's eleven: "
        f"{eleven(dirty['kinds'])}/11"
    )
    extra = sorted(set(dirty["kinds"]) - set(INJECTED))
    if extra:
        print(f"  also reported: {', '.join(extra)}")
    if args.no_anchors:
        return

    print(f"\nat {args.anchor_rows:,} rows, same data, each tool in its own environment")
    frames_path, parquet, truth, small_dirty = write_frames(args.anchor_rows)
    small = ours(frames_path, args.repeat)["dirty"]
    print(f"  ours           {small['cpu']:8.2f} CPU-s  kinds {eleven(small['kinds'])}/11")
    for name, code, table, key in (
        ("deepchecks", DEEPCHECKS_CHILD, DEEPCHECKS_KINDS, "failed"),
        ("ydata", YDATA_CHILD, YDATA_KINDS, "alerts"),
    ):
        try:
            res = run_child(ensure_env(name), code, str(parquet))
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"  {name}: could not run: {str(exc)[-300:]}")
            continue
        kinds = found_kinds(res[key], table)
        print(
            f"  {name:<14} {res['cpu']:8.2f} CPU-s  kinds {eleven(kinds)}/11  "
            f"ratio {res['cpu'] / max(small['cpu'], 1e-9):6.1f}x  ({key}: {', '.join(res[key])})"
        )
    pii_comparison(small_dirty, truth, args.repeat)


if __name__ == "__main__":
    main()
