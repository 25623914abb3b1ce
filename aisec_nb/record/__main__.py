"""``python -m aisec_nb.record``: rewrite the shipped JSON Schema of the Record."""

from __future__ import annotations

from importlib import resources

from .notebook import SCHEMA_FILE, render_json_schema

if __name__ == "__main__":  # pragma: no cover - maintenance entry
    import pathlib

    out = pathlib.Path(str(resources.files("aisec_nb.schema"))) / SCHEMA_FILE
    out.write_text(render_json_schema(), encoding="utf-8")
    print(f"wrote {out}")
