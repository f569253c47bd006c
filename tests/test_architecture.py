"""The house has one direction: a test that walks the import graph of ``src/glassnet``.

Module-scope imports (read from the source with ``ast``) must form no cycle and must never
go up the house: numbers <- layers <- callbacks <- models <- saving / insight / interop <-
lab <- cli. A deferred import inside a function is a call at run time; the only ones that go
up the house are the two Keras's API asks for (``model.save`` / ``load_model`` reaching
``saving``, ``glassnet.callbacks.Probe`` reaching ``insight``), listed in ``CALLS_UP``.
"""
import ast
import pathlib
import subprocess
import sys

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "glassnet"

# Each part of the house and its rank: a module may import only parts of lower or equal rank.
RANKS = {"base": 0, "numbers": 1, "layers": 2, "callbacks": 3, "models": 4,
         "saving": 5, "insight": 5, "interop": 6, "datasets": 6, "lab": 7, "cli": 8, "top": 9}
NUMBERS = {"activations", "initializers", "losses", "reductions", "metrics", "optimizers",
           "schedules", "regularizers", "constraints"}
BASE = {"arrays", "atomic", "progbar", "config", "utils", "backend", "naming", "threads", "_registry", "data", "josa",
        "glossary", "py_dataset"}


def part(module):
    """The part of the house a dotted module name (under glassnet) belongs to."""
    parts = module.split(".")[1:]
    if not parts:
        return "top"
    head = parts[0]
    if head in NUMBERS:
        return "numbers"
    if head in BASE:
        return "base"
    if head in ("datasets", "image_datasets"):
        return "datasets"
    if head in RANKS:
        return head
    raise AssertionError(f"glassnet.{head} belongs to no part of the house: add it to RANKS, "
                         f"NUMBERS or BASE in {__file__}")


# (module, target) pairs allowed to import upward inside a function, and why.
CALLS_UP = {
    ("glassnet.models.model", "glassnet.saving"): "model.save / load_model, as Keras's API",
    ("glassnet.callbacks", "glassnet.insight.probe"): "glassnet.callbacks.Probe, as DESIGN",
    ("glassnet.callbacks.tensorboard", "glassnet.insight.diagnosis"): "TensorBoard's diagnosis text",
}


def modules():
    found = {}
    for path in SRC.rglob("*.py"):
        dotted = ".".join(("glassnet",) + path.relative_to(SRC).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


def module_scope_imports(name, path, known, deferred=False):
    """The glassnet modules ``name`` imports at module scope (with ``deferred``: only those it
    imports inside functions)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    nodes = tree.body
    if deferred:
        top = set(map(id, tree.body))
        nodes = [node for node in ast.walk(tree) if id(node) not in top]
    targets = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        targets |= {c for c in candidates if c in known and c != name
                    and not name.startswith(c + ".")}
    return targets


@pytest.fixture(scope="module")
def graph():
    known = modules()
    return {name: module_scope_imports(name, path, known) for name, path in known.items()}


def test_every_module_belongs_to_a_part_of_the_house(graph):
    for name in graph:
        part(name)


def test_no_module_imports_a_higher_part(graph):
    upward = [f"{name} ({part(name)}) imports {target} ({part(target)})"
              for name, targets in graph.items() for target in targets
              if RANKS[part(target)] > RANKS[part(name)]]
    assert not upward, "imports that go up the house:\n" + "\n".join(sorted(upward))


def test_deferred_imports_go_up_only_where_listed():
    known = modules()
    upward = {(name, target) for name, path in known.items()
              for target in module_scope_imports(name, path, known, deferred=True)
              if RANKS[part(target)] > RANKS[part(name)]}
    assert upward <= set(CALLS_UP), f"deferred imports up the house: {upward - set(CALLS_UP)}"


def test_no_import_cycle(graph):
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_walker_sees_a_cycle_and_an_upward_import(tmp_path):
    """The checks above can fail: a planted cycle and upward import are found."""
    package = tmp_path / "glassnet"
    (package / "layers").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "layers" / "__init__.py").write_text("from ..models import Model\n")
    (package / "models.py").write_text("from .layers import Layer\n")
    known = {"glassnet": package / "__init__.py", "glassnet.layers": package / "layers" /
             "__init__.py", "glassnet.models": package / "models.py"}
    layers = module_scope_imports("glassnet.layers", known["glassnet.layers"], known)
    models = module_scope_imports("glassnet.models", known["glassnet.models"], known)
    assert layers == {"glassnet.models"} and models == {"glassnet.layers"}
    assert RANKS[part("glassnet.models")] > RANKS[part("glassnet.layers")]


def test_import_glassnet_is_light_and_fast():
    """``import glassnet`` loads NumPy only (no matplotlib, scikit-learn, h5py, torch, ...)
    and none of the parts loaded on first use."""
    code = ("import sys, time; t = time.perf_counter(); import glassnet; "
            "print(time.perf_counter() - t); print(' '.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    loaded = set(out[1].split())
    heavy = {"matplotlib", "sklearn", "scipy", "pandas", "torch", "h5py", "onnx", "dask",
             "glassnet.lab", "glassnet.saving", "glassnet.interop", "glassnet.insight"}
    assert not heavy & loaded, heavy & loaded
