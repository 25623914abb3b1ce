"""Lint throughput: ``aisec-nb lint`` at ``--jobs 1`` and ``--jobs 2`` against the floor of
reading and validating the same notebooks with nbformat alone (``nbformat.read`` +
``nbformat.validate``, one process), in notebooks per second.

Generates (into a temporary folder, or ``--out DIR``) 1,000 notebooks of mixed sizes (10 to 90
cells, about 50 on average): code cells of ordinary data-science code with some magics, shell
lines, risky loads and outputs (streams, tables, a traceback now and then), and markdown cells.
The target is at least half the floor's speed. Runs are interleaved; the best of
``--repeat`` runs is compared (the least disturbed by other work on the machine).

    python benchmarks/lint.py [--notebooks 1000] [--repeat 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aisec_nb.lint import lint_paths

CODE = [
    "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split",
    "df = pd.read_csv('data/train.csv')\ndf.head()",
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)\n"
    "print(X_train.shape, X_test.shape)",
    "for epoch in range(10):\n    loss = train_one_epoch(model, loader)\n    print(epoch, loss)",
    "def features(frame):\n    out = frame.copy()\n    out['ratio'] = out['a'] / (out['b'] + 1)\n"
    "    return out\n\ndf = features(df)",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot(history['loss'])",
    "!pip install -q scikit-learn==1.5.2\n%pip install tqdm",
    "import torch\nstate = torch.load('checkpoints/model.pt')\nmodel.load_state_dict(state)",
    "with open('cache.pkl', 'rb') as fh:\n    cache = pickle.load(fh)",
    "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('org/model')",
    "scores = {name: metric(y_test, pred) for name, metric in metrics.items()}\nscores",
    "%%time\nresult = expensive(df)\nresult.describe()",
    "summary = df.groupby('region').agg({'income': ['mean', 'std'], 'age': 'median'})\nsummary",
    "class Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc = torch.nn.Linear(10, 2)\n\n"
    "    def forward(self, x):\n        return self.fc(x)",
    "client = Client(api_key=os.environ['API_KEY'])\nresponse = client.complete(prompt)",
    "def broken(:\n    pass",
]
MARKDOWN = ["# Training\nWe train a small model on the cleaned data.",
            "## Results\n| metric | value |\n|---|---|\n| auc | 0.91 |",
            "Notes: remember to call `torch.load(path, weights_only=True)`."]
TABLE = "\n".join(f"{i:>3}  {random.random():.4f}  {random.randint(0, 99):>3}  north"
                  for i in range(20))


def make_notebook(rng: random.Random) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for _ in range(rng.randint(10, 90)):
        if rng.random() < 0.3:
            nb.cells.append(new_markdown_cell(rng.choice(MARKDOWN)))
            continue
        # Every cell differs (as in real notebooks), so nothing is served from a cache.
        cell = new_code_cell(rng.choice(CODE).replace("df", f"df{rng.randint(0, 10**6)}", 1))
        roll = rng.random()
        if roll < 0.3:
            cell.outputs.append(new_output("stream", name="stdout",
                                           text="epoch 1 loss 0.52\nepoch 2 loss 0.41\n"))
        elif roll < 0.5:
            cell.outputs.append(new_output("execute_result", execution_count=1,
                                           data={"text/plain": TABLE}))
        elif roll < 0.52:
            cell.outputs.append(new_output("error", ename="ValueError", evalue="bad",
                                           traceback=["Traceback", "----> 1 f(x)",
                                                      "ValueError: bad"]))
        nb.cells.append(cell)
    return nb


def floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    return time.perf_counter() - start


def lint(folder: Path, jobs: int) -> float:
    start = time.perf_counter()
    report = lint_paths([folder], jobs=jobs)
    elapsed = time.perf_counter() - start
    assert not report.errors, report.errors[:3]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="aisec-lint-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    paths = []
    cells = 0
    for i in range(args.notebooks):
        nb = make_notebook(rng)
        cells += len(nb.cells)
        path = folder / f"nb{i:04d}.ipynb"
        nbformat.write(nb, str(path))
        paths.append(path)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} notebooks, {cells / len(paths):.1f} cells on average, "
          f"{size / 1e6:.1f} MB, in {folder}")
    lint(folder, 1)  # warm the page cache and the imports
    names = ("nbformat.read + validate (floor)", "aisec-nb lint --jobs 1", "aisec-nb lint --jobs 2")
    runs: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits all three
        runs[names[0]].append(floor(paths))
        runs[names[1]].append(lint(folder, 1))
        runs[names[2]].append(lint(folder, 2))
    base = len(paths) / min(runs[names[0]])
    for name, times in runs.items():
        best = len(paths) / min(times)
        typical = len(paths) / statistics.median(times)
        print(f"{name:<34} {best:7.1f} notebooks/s best, {typical:7.1f} median of "
              f"{len(times)}  ({best / base:.2f} x floor)")


if __name__ == "__main__":
    main()
