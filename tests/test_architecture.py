"""Architecture rules the code keeps: the library never imports the API; data lives in data files."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from graph.kg import KnowledgeGraph

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


def test_a_command_screening_on_the_shipped_graph_loads_only_what_it_uses(kg: KnowledgeGraph) -> None:
    """A command's start is mostly imports: what only some commands use (the reasoner, pySHACL, the web
    server, numpy for name lists of 20,000 or more) is loaded by them, not by every start."""
    script = (
        "import sys, graph.cli\n"
        "from graph.kg import load_graph\n"
        "from graph.screening import Screener, ScreeningRequest\n"
        "Screener(load_graph()).screen(ScreeningRequest.parse("
        "{'item': 'samarium', 'destination': 'JP', 'end_user': 'Mitsubishi', 'date': '2026-03-01'}))\n"
        "print(' '.join(sorted(m for m in sys.modules if '.' not in m)))\n"
    )
    settings = kg.settings  # built: the process starts warm
    env = {**os.environ, "ECKG_CACHE_DIR": str(settings.cache_dir), "ECKG_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "graph" in loaded and "pyoxigraph" in loaded
    assert loaded & {"numpy", "owlrl", "pyshacl", "fastapi", "uvicorn", "pydantic_settings"} == set()
