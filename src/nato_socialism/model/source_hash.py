"""The model's source hash: which model code made a result (no compiled code imported here).

:data:`MODEL_HASH` is a SHA-256 over every source file of the model (``model/*.py``,
``model/mechanisms/*.py`` and the parameter registry ``parameters.toml``), names and
contents. The compiled code's disk cache is keyed on it
(:mod:`nato_socialism.model.compiled`), every stored run records it (``runs.model_hash``,
``docs/results.md``) and ``run --resume`` refuses to continue a run made by other model code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent


def model_hash(model_dir: Path = MODEL_DIR) -> str:
    """SHA-256 (hex) of the model's source files under ``model_dir``."""
    digest = hashlib.sha256()
    files = sorted([*model_dir.glob("*.py"), *model_dir.glob("mechanisms/*.py"), model_dir / "parameters.toml"])
    for path in files:
        digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


#: SHA-256 of the model's source files as they are now.
MODEL_HASH = model_hash()
