"""Building the knowledge graph once: parse, reason, derive periods, persist — keyed by content hash.

    inputs (ontology/*.ttl, ontology/shapes/*.ttl, graph/facts/*.ttl, countries from pycountry)
      -> content hash (SHA-256 of the build recipe and every input)
      -> <cache_dir>/graphs/<hash>/store     Oxigraph store: ontology, facts, inferred, periods, shapes graphs
         <cache_dir>/graphs/<hash>/quads.nq  the same quads as N-Quads, what a start loads into memory
         <cache_dir>/graphs/<hash>/manifest.json
         <cache_dir>/snapshots/<hash>.tar.gz  the inputs, so this version can be rebuilt later

A warm start finds the directory and neither parses nor reasons again. A build writes to a temporary
directory and renames it into place, so a crash never leaves a half-built graph behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from graph import countries, paths
from graph.errors import BuildError
from graph.namespaces import GRAPH_FACTS, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PERIODS, GRAPH_SHAPES
from graph.parsing import parse_file
from graph.periods import derive_periods
from graph.reasoning import Reasoner, inferred_triples
from graph.terms import graph_of

BUILD_FORMAT = "eckg-build-4"


@dataclass(frozen=True)
class InputFile:
    name: str  # e.g. "ontology/parties.ttl"
    path: Path
    graph: str  # the named graph its triples go to


@dataclass(frozen=True)
class BuildInputs:
    files: tuple[InputFile, ...]
    countries_nt: bytes
    reasoner: Reasoner

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256(f"{BUILD_FORMAT}\nreasoner={self.reasoner}\n".encode())
        for f in self.files:
            data = f.path.read_bytes()
            digest.update(f"{f.name}\0{len(data)}\0".encode())
            digest.update(data)
        digest.update(f"countries\0{len(self.countries_nt)}\0".encode())
        digest.update(self.countries_nt)
        return digest.hexdigest()


@dataclass
class Manifest:
    content_hash: str
    built_at: str
    eckg_version: str
    reasoner: str
    pycountry_version: str
    inputs: list[str]
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def collect_inputs(reasoner: Reasoner = "owlrl") -> BuildInputs:
    """The files and generated data a build reads, in a stable order."""
    files: list[InputFile] = []
    for directory, prefix, graph in (
        (paths.ontology_dir(), "ontology", GRAPH_ONTOLOGY),
        (paths.shapes_dir(), "ontology/shapes", GRAPH_SHAPES),
        (paths.facts_dir(), "graph/facts", GRAPH_FACTS),
    ):
        files += [InputFile(f"{prefix}/{p.name}", p, graph) for p in sorted(directory.glob("*.ttl"))]
    if not files:
        raise BuildError(f"no Turtle files found under {paths.ontology_dir()} and {paths.facts_dir()}")
    nt = ox.serialize(countries.country_triples(), format=ox.RdfFormat.N_TRIPLES)
    assert nt is not None  # serialize() without an output returns the bytes
    return BuildInputs(tuple(files), nt, reasoner)


def inputs_from_snapshot(snapshot: Path, into: Path) -> BuildInputs:
    """The inputs of a past build, extracted from its snapshot into `into`."""
    with tarfile.open(snapshot) as tar:
        tar.extractall(into, filter="data")
    recipe = json.loads((into / "recipe.json").read_text(encoding="utf-8"))
    graphs = (
        ("ontology/shapes/", GRAPH_SHAPES),
        ("ontology/", GRAPH_ONTOLOGY),
        ("graph/facts/", GRAPH_FACTS),
    )
    files = []
    for path in sorted(p for p in into.rglob("*.ttl")):
        name = path.relative_to(into).as_posix()
        graph = next(g for prefix, g in graphs if name.startswith(prefix) and "/" not in name[len(prefix) :])
        files.append(InputFile(name, path, graph))
    order = {g: i for i, (_, g) in enumerate((("", GRAPH_ONTOLOGY), ("", GRAPH_SHAPES), ("", GRAPH_FACTS)))}
    files.sort(key=lambda f: (order[f.graph], f.name))
    return BuildInputs(tuple(files), (into / "generated" / "countries.nt").read_bytes(), recipe["reasoner"])


def graph_dir(cache_dir: Path, content_hash: str) -> Path:
    return cache_dir / "graphs" / content_hash


def snapshot_path(cache_dir: Path, content_hash: str) -> Path:
    return cache_dir / "snapshots" / f"{content_hash}.tar.gz"


# a build's quads beside its store: a start parses them faster than it reads the store
QUADS_FILE = "quads.nq"


def is_built(cache_dir: Path, content_hash: str) -> bool:
    return (graph_dir(cache_dir, content_hash) / "manifest.json").is_file()


def build(inputs: BuildInputs, cache_dir: Path, *, force: bool = False) -> Path:
    """Build the graph for `inputs` into the cache (unless already there) and return its directory."""
    content_hash = inputs.content_hash
    target = graph_dir(cache_dir, content_hash)
    if is_built(cache_dir, content_hash) and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f"{content_hash}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    scratch.mkdir(parents=True)
    try:
        manifest = _build_into(inputs, scratch / "store")
        (scratch / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        _write_snapshot(inputs, snapshot_path(cache_dir, content_hash))
        if force and target.exists():
            shutil.rmtree(target)
        try:
            scratch.rename(target)
        except OSError:
            if not is_built(cache_dir, content_hash):  # lost a race to another builder: theirs is as good
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _build_into(inputs: BuildInputs, store_path: Path) -> Manifest:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    quads: list[ox.Quad] = []
    for f in inputs.files:
        quads += parse_file(f.path, ox.NamedNode(f.graph))
    facts_graph = ox.NamedNode(GRAPH_FACTS)
    quads += [
        ox.Quad(t.subject, t.predicate, t.object, facts_graph)
        for t in ox.parse(inputs.countries_nt, format=ox.RdfFormat.N_TRIPLES)
    ]
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    asserted = [q for q in quads if graph_of(q) != GRAPH_SHAPES]
    inferred_graph = ox.NamedNode(GRAPH_INFERRED)
    inferred = [
        ox.Quad(t.subject, t.predicate, t.object, inferred_graph)
        for t in inferred_triples(asserted, inputs.reasoner)
    ]
    timings["reason"] = time.perf_counter() - started

    started = time.perf_counter()
    store = ox.Store(str(store_path))
    store.bulk_extend(quads)
    store.bulk_extend(inferred)
    store.bulk_extend(derive_periods(store, GRAPH_PERIODS))
    store.flush()
    store.dump(str(store_path.with_name(QUADS_FILE)), ox.RdfFormat.N_QUADS)
    counts = {
        g: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        for g in (GRAPH_ONTOLOGY, GRAPH_FACTS, GRAPH_INFERRED, GRAPH_PERIODS, GRAPH_SHAPES)
    }
    del store
    timings["persist"] = time.perf_counter() - started
    return Manifest(
        content_hash=inputs.content_hash,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        eckg_version=version("eckg"),
        reasoner=inputs.reasoner,
        pycountry_version=countries.pycountry_version(),
        inputs=[f.name for f in inputs.files],
        triples={
            "asserted": counts[GRAPH_ONTOLOGY] + counts[GRAPH_FACTS],
            "inferred": counts[GRAPH_INFERRED] + counts[GRAPH_PERIODS],
            "shapes": counts[GRAPH_SHAPES],
        },
        seconds={k: round(v, 3) for k, v in timings.items()},
    )


def _write_snapshot(inputs: BuildInputs, path: Path) -> None:
    """A reproducible tar.gz of the inputs (mtime 0), so this graph version can be rebuilt later."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    with tarfile.open(tmp, "w:gz") as tar:
        members = [(f.name, f.path.read_bytes()) for f in inputs.files]
        members.append(("generated/countries.nt", inputs.countries_nt))
        members.append(
            ("recipe.json", json.dumps({"format": BUILD_FORMAT, "reasoner": inputs.reasoner}).encode())
        )
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    tmp.replace(path)
