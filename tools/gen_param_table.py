"""Write docs/parameters.md from the parameter registry (the only list of parameters).

Usage: python tools/gen_param_table.py [--check]
"""

import sys
from pathlib import Path

from nato_socialism.model.parameters import registry

OUT = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"


def render() -> str:
    reg = registry()
    lines = [
        "# Parameters",
        "",
        "Generated from `src/nato_socialism/model/parameters.toml` by `python tools/gen_param_table.py`;",
        "do not edit by hand. Ensembles sample `[low, high]` with a Latin hypercube unless a scenario",
        f"fixes a value. {sum(p.is_assumption for p in reg.values())} of {len(reg)} defaults are",
        "assumptions (marked); the others cite the published figure they come from.",
        "",
        "| name | mechanism | default | low | high | unit | source | meaning |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in reg.values():
        source = p.source.replace("|", "/")
        cells = (f"`{p.name}`", p.mechanism, f"{p.default:g}", f"{p.low:g}", f"{p.high:g}", p.unit, source, p.doc)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text else 1)
    OUT.write_text(text)
    print(f"wrote {OUT}")
