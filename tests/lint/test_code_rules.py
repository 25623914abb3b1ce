"""The code-cell rules, one notebook per rule: what triggers it and the look-alikes that must not,
each finding asserted exactly as (code, cell, line, raw file line)."""
# ruff: noqa: E501 - a cell's source is written on one line, as \n-joined lines, to keep each
# fixture notebook readable cell by cell.

from __future__ import annotations

from pathlib import Path

from aisec_nb.lint.engine import lint_one
from aisec_nb.settings import LintSettings
from tests.lint.fixtures import at, found, notebook, write

NO_COVERAGE = ("AISEC-CODE-008",)  # which loads a scan covers is tested on its own


def test_untrusted_deserialisation(tmp_path: Path) -> None:
    nb = write(notebook(
        "#md We never call torch.load(path) or pickle.load(f) without a scan.",
        "import pickle, cPickle\nimport joblib as jl\nimport numpy as np\nfrom functools import partial",
        "with open('model.pkl', 'rb') as fh:\n    obj = pickle.load(fh)\nmodel.load_state_dict(torch.load(f'weights.pt'))\nclf = jl.load('model.joblib')",
        "np.load = partial(np.load, allow_pickle=True)\narrays = np.load('arrays.npy')\nloader = pickle.load\nloader(open('other.pkl', 'rb'))",
        "import yaml\ncfg = yaml.load(text, Loader=yaml.FullLoader)\nsafe = yaml.load(text, Loader=yaml.SafeLoader)\nyaml.safe_load(text)",
        "torch.load('ok.pt', weights_only=True)\npickle.dump(obj, fh)\ndf.to_pickle('out.pkl')\ncPickle.loads(blob)",
        "from torch import *\nstate = load('star.pt')\nimport dill, cloudpickle, shelve\nimport pandas as pd\ndill.load(f); cloudpickle.loads(b)\npd.read_pickle('frame.pkl')\nshelve.open('db')",
        "from keras.models import load_model\nload_model('m.keras', safe_mode=False)\nload_model('ok.keras')\nyaml.unsafe_load(text)",
        "%aisec guard on\nguarded = pickle.load(open('model.pkl', 'rb'))",
    ), tmp_path / "deserialise.ipynb")
    code = "AISEC-CODE-001"
    assert found(nb, ignore=NO_COVERAGE) == [
        at(nb, code, 2, 2), at(nb, code, 2, 3), at(nb, code, 2, 4),
        at(nb, code, 3, 2), at(nb, code, 3, 4),
        at(nb, code, 4, 2),
        at(nb, code, 5, 4),
        at(nb, code, 6, 2), at(nb, code, 6, 5), at(nb, code, 6, 5), at(nb, code, 6, 6),
        at(nb, code, 6, 7),
        at(nb, code, 7, 2), at(nb, code, 7, 4),
    ]
    messages = [f.message for f in lint_one(nb, ignore=frozenset(NO_COVERAGE)).findings]
    assert "yaml.load() with yaml.FullLoader (FullLoader is not safe)" in messages[5]
    assert messages[1].startswith("torch.load() with no weights_only=True")


def test_trust_remote_code(tmp_path: Path) -> None:
    pin = "0123456789abcdef0123456789abcdef01234567"
    nb = write(notebook(
        "from transformers import AutoModel\nfrom datasets import load_dataset",
        f"m = AutoModel.from_pretrained('org/model', revision='{pin}', trust_remote_code=True)\n"
        f"opts = {{'trust_remote_code': True}}\nAutoModel.from_pretrained('org/m', revision='{pin}', **{{'trust_remote_code': True}})\n"
        f"ds = load_dataset('org/data', revision='{pin}', trust_remote_code=True)",
        f"ok = AutoModel.from_pretrained('org/model', revision='{pin}', trust_remote_code=False)",
        "#md trust_remote_code=True is never needed here",
    ), tmp_path / "remote.ipynb")
    code = "AISEC-CODE-002"
    assert found(nb) == [at(nb, code, 1, 1), at(nb, code, 1, 3), at(nb, code, 1, 4)]


def test_unpinned_downloads(tmp_path: Path) -> None:
    pin = "0123456789abcdef0123456789abcdef01234567"
    (tmp_path / "out").mkdir()
    nb = write(notebook(
        "from transformers import AutoTokenizer as Tok\nfrom huggingface_hub import hf_hub_download",
        "t = Tok.from_pretrained('org/model')\nt = Tok.from_pretrained('org/model', revision='main')\n"
        f"t = Tok.from_pretrained('org/model', revision='{pin}')\nt = Tok.from_pretrained('./out')\n"
        "path = hf_hub_download(repo_id='org/model', filename='w.safetensors')",
        "import urllib.request\nurllib.request.urlretrieve('https://x.org/m.pt', 'm.pt')\n"
        "tf.keras.utils.get_file('d.csv', 'https://x.org/d.csv', file_hash='ab' * 32)\n"
        "!wget -q https://x.org/weights.bin\n!wget https://x.org/index.html",
        "import torch\nrepo = torch.hub.load('pytorch/vision:v0.10.0', 'resnet18')",
    ), tmp_path / "downloads.ipynb")
    code = "AISEC-CODE-003"
    assert found(nb, ignore=NO_COVERAGE) == [
        at(nb, code, 1, 1), at(nb, code, 1, 2), at(nb, code, 1, 5),
        at(nb, code, 2, 2), at(nb, code, 2, 4),
        at(nb, code, 3, 2),
    ]


def test_tls_verification_off(tmp_path: Path) -> None:
    nb = write(notebook(
        "import requests as r\nimport ssl, os",
        "r.get(url, verify=False)\nr.get(url, verify=True)\n"
        "ssl._create_default_https_context = ssl._create_unverified_context\n"
        "os.environ['CURL_CA_BUNDLE'] = ''\nos.environ['OTHER'] = ''",
        "!curl -k -O https://x.org/page\n%pip install --trusted-host pypi.example torch==2.3.1",
        "%%bash\nwget --no-check-certificate https://x.org/page\necho fine",
    ), tmp_path / "tls.ipynb")
    code = "AISEC-CODE-004"
    assert found(nb) == [at(nb, code, 1, 1), at(nb, code, 1, 3), at(nb, code, 1, 4),
                         at(nb, code, 2, 1), at(nb, code, 2, 2), at(nb, code, 3, 2)]


def test_hard_coded_credentials_and_placeholders(tmp_path: Path) -> None:
    key = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z7A"
    nb = write(notebook(
        "import os, getpass\nfrom openai import OpenAI",
        f"client = OpenAI(api_key='{key}')\nlogin(token='hf_abcdefghijklmnopqrstuvwxyzABCDEFGH')\n"
        "db = connect(password='Tr0ub4dor&3')\nheaders = {'Authorization': 'Bearer 9f8e7d6c5b4a3210'}\n"
        "WANDB_API_KEY = 'f0e1d2c3b4a5968778695a4b3c2d1e0f'",
        "OpenAI(api_key='YOUR_API_KEY')\nlogin(token='<token>')\nOpenAI(api_key=os.environ['OPENAI_API_KEY'])\n"
        "connect(password=getpass.getpass())\ntok = AutoTokenizer.from_pretrained(p, pad_token='[PAD]')\n"
        "api_key = 'sk-...'\nmax_tokens = 100",
        "#md Put your key in `api_key='sk-...'`",
    ), tmp_path / "credentials.ipynb")
    code = "AISEC-CODE-005"
    assert found(nb) == [at(nb, code, 1, n) for n in (1, 2, 3, 4, 5)]
    result = lint_one(nb)
    shown = " ".join(f"{f.message} {f.source}" for f in result.findings)
    for secret in (key, "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "Tr0ub4dor&3", "9f8e7d6c5b4a3210",
                   "f0e1d2c3b4a5968778695a4b3c2d1e0f"):
        assert secret not in shown
    assert result.findings[0].source == "client = OpenAI(api_key='•••…(42 chars)')"


def test_eval_and_exec_on_non_literals(tmp_path: Path) -> None:
    nb = write(notebook(
        "result = eval(user_input)\nexec(code_from_model)\nexec(f'x = {value}')\nvalue = eval('1 + 1')",
        "def eval(text):\n    return text\neval(anything)",
    ), tmp_path / "eval.ipynb")
    code = "AISEC-CODE-006"
    assert found(nb) == [at(nb, code, 0, 1), at(nb, code, 0, 2), at(nb, code, 0, 3)]


def test_unpinned_installs(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\nrequests>=2\n")
    nb = write(notebook(
        "%pip install pandas\n!pip install -q 'transformers>=4.40' torch==2.3.1\n%pip install torch==2.3.1 numpy==1.26.4",
        "!{sys.executable} -m pip install --upgrade scikit-learn\n!pip install -r requirements.txt\n!pip install .",
        "import subprocess\nsubprocess.run(['pip', 'install', 'lightgbm'])\n%conda install -y xgboost=2.0.3",
        "#md Run `%pip install pandas` first",
    ), tmp_path / "installs.ipynb")
    code = "AISEC-CODE-007"
    assert found(nb) == [at(nb, code, 0, 1), at(nb, code, 0, 2), at(nb, code, 1, 1),
                         at(nb, code, 1, 2), at(nb, code, 2, 2)]
    messages = [f.message for f in lint_one(nb).findings]
    assert "(a lower bound is not a pin)" in messages[1]
    assert "'requests>=2 (in requirements.txt)'" in messages[3]


def test_an_unparsable_cell_hides_nothing(tmp_path: Path) -> None:
    nb = write(notebook(
        "import torch as T\ndef broken(:\n    pass\nstate = T.load('a.pt')\n%pip install pandas",
        "for x in range(3:\n    pickle.load(f)\nT.load('b.pt')",
        "T.load('c.pt')",
    ), tmp_path / "broken.ipynb")
    assert found(nb, ignore=NO_COVERAGE) == [
        at(nb, "AISEC-CODE-001", 0, 4), at(nb, "AISEC-CODE-007", 0, 5),
        at(nb, "AISEC-CODE-001", 1, 2), at(nb, "AISEC-CODE-001", 1, 3),
        at(nb, "AISEC-CODE-001", 2, 1),
    ]


def test_cell_magics_are_read_by_what_their_body_is(tmp_path: Path) -> None:
    nb = write(notebook(
        "%%time\nimport pickle\nobj = pickle.loads(blob)",
        "%%writefile train.py\nimport torch\ntorch.load('w.pt')",
        "%%writefile notes.txt\ntorch.load('w.pt')",
        "%%html\n<p>pickle.load(f)</p>",
        "%%capture\n!pip install tqdm",
    ), tmp_path / "magics.ipynb")
    assert found(nb, ignore=NO_COVERAGE) == [
        at(nb, "AISEC-CODE-001", 0, 3), at(nb, "AISEC-CODE-001", 1, 3),
        at(nb, "AISEC-CODE-007", 4, 2),
    ]


def test_notebooks_without_language_info_are_linted(tmp_path: Path) -> None:
    nb = notebook("pickle.loads(blob)")
    nb.metadata = {}
    path = write(nb, tmp_path / "bare.ipynb")
    assert found(path) == [at(path, "AISEC-CODE-001", 0, 1)]


def test_model_loads_need_scan_evidence(tmp_path: Path, monkeypatch: object) -> None:
    from aisec_nb.scan import scan_path
    from aisec_nb.transport import MIME_TYPE, check_fragment

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "scanned.pt").write_bytes(b"\x80\x04K\x01.")
    scanned = scan_path(tmp_path / "models" / "scanned.pt").model_copy(
        update={"target": scan_path(tmp_path / "models" / "scanned.pt").target.model_copy(
            update={"path": "models/scanned.pt"})})
    nb = notebook(
        {"source": "%aisec check model models/scanned.pt",
         "outputs": [{"output_type": "display_data",
                      "data": {"text/plain": "scan", MIME_TYPE: check_fragment(scanned)}}]},
        "import torch\nw = torch.load('models/./scanned.pt', weights_only=True)\n"
        "v = torch.load('models/unscanned.pt', weights_only=True)\nMODEL = 'models/other.pt'\n"
        "u = torch.load(MODEL, weights_only=True)\nx = torch.load(path_from_config, weights_only=True)",
    )
    path = write(nb, tmp_path / "coverage.ipynb")
    code = "AISEC-CODE-008"
    assert found(path) == [at(path, code, 1, 3), at(path, code, 1, 5)]
    policy = LintSettings(require=frozenset({"model-scan"}))
    assert found(path, policy) == [at(path, "AISEC-POL-001", 1, 3),
                                   at(path, "AISEC-POL-001", 1, 5)]


def test_names_bound_in_quiet_cells_reach_later_cells(tmp_path: Path) -> None:
    nb = write(notebook(
        "import joblib as jb",
        "PATH = 'models/m.joblib'\nrows = [r for r in range(3)]",
        "fn = jb.load",
        "print(rows)",
        "result = fn(PATH)",
    ), tmp_path / "quiet.ipynb")
    assert found(nb) == [at(nb, "AISEC-CODE-001", 4, 1), at(nb, "AISEC-CODE-008", 4, 1)]
    [_, unscanned] = lint_one(nb).findings
    assert unscanned.message.startswith("models/m.joblib is loaded here (joblib.load)")


def test_hostile_cells_do_not_stop_the_linter(tmp_path: Path) -> None:
    deep = "x = " + " + ".join(["'a'"] * 5000) + "\npickle.loads(b)"
    nb = write(notebook("a = 1\x00\npickle.loads(b)", deep, "(" * 300 + ")" * 300,
                        "pickle.loads(c)"), tmp_path / "hostile.ipynb")
    assert [(code, cell, line) for code, cell, line, _ in found(nb)] == [
        ("AISEC-CODE-001", 0, 2), ("AISEC-CODE-001", 1, 2), ("AISEC-CODE-001", 3, 1)]
