"""Reading scenario files: a bundled scenario by name, or a TOML file by path."""

from __future__ import annotations

import tomllib
from pathlib import Path

from nato_socialism.errors import UserError, suggest

from .messages import toml_error
from .schema import Scenario, validate

#: Folder of the scenarios shipped with the package (``load_scenario("default")``).
BUNDLED_DIR = Path(__file__).parent.parent / "scenarios"


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package, sorted."""
    return sorted(path.stem for path in BUNDLED_DIR.glob("*.toml"))


def load_scenario(source: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    source
        A bundled scenario name (see :func:`bundled_scenarios`) or the path of a TOML file.

    Returns
    -------
    Scenario
        The validated scenario; country codes and blocs are checked by :meth:`Scenario.build`.

    Raises
    ------
    UserError
        For a missing or unreadable file, a TOML syntax error (with line and column), an
        unknown field (with close matches), a value of the wrong type or out of range, or
        an event outside the run.
    """
    path = _scenario_path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"Cannot read scenario file {path}: {err.strerror}.") from None
    except UnicodeDecodeError:
        raise UserError(f"Scenario file {path} is not UTF-8 text.") from None
    return loads_scenario(text, str(path), path.stem)


def loads_scenario(text: str, where: str, name: str) -> Scenario:
    """Validate scenario text (``where`` names it in messages; ``name`` is the default name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(toml_error(where, err)) from None
    data.setdefault("name", name)
    return validate(data, where)


def _scenario_path(source: str | Path) -> Path:
    """Return the file a source names: a bundled scenario or an existing file."""
    bundled = bundled_scenarios()
    if isinstance(source, str) and source in bundled:
        return BUNDLED_DIR / f"{source}.toml"
    path = Path(source)
    if path.is_file():
        return path
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a scenario file.")
    if isinstance(source, str) and path.name == source and not path.suffix:  # meant a name?
        raise UserError(
            f"No scenario file {source!r} and no bundled scenario of that name; bundled: "
            f"{', '.join(bundled) or 'none'}.{suggest(source, bundled)}"
        )
    raise UserError(f"Scenario file {path} does not exist.")

