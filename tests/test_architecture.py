"""Architecture rules the code keeps: the library never imports the API; data lives in data files."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_graph_never_imports_api() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "graph").rglob("*.py") if "api" in _imports(p)]
    assert offenders == []


def test_modules_stay_small() -> None:
    """One concept per module: none over ~400 lines."""
    big = {
        str(p.relative_to(ROOT)): n
        for p in [*(ROOT / "graph").rglob("*.py"), *(ROOT / "api").rglob("*.py")]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert big == {}


def test_top_level_layout() -> None:
    for name in ("pyproject.toml", "ontology", "graph", "queries", "api", "tests", "Makefile", ".ci/run"):
        assert (ROOT / name).exists(), name
    assert not list((ROOT / "ontology").rglob("*.py")) and not list((ROOT / "queries").rglob("*.py"))
