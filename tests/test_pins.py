"""Tests pin claudette's guarantees, never a dependency's internals.

A test that expects `httpx2.RemoteProtocolError` from a stream cut mid-way turns red when a new `httpx2` (or `anthropic`)
raises another type for the same failure, although claudette did nothing wrong: what claudette promises is an
`anthropic.APIConnectionError`, whatever the transport raised. So this check reads every notebook's code cells and every
file under `tests/` with `ast`, and fails on a test that names an exception type of the HTTP stack (`httpx`, `httpx2`,
`httpcore`, `httpcore2`, `anyio`, `h11`, `h2`, `sniffio`) or of a dependency's private module (`anthropic._exceptions`)
where it expects or catches one: `expect_fail(X)`, `test_fail(..., exc=X)`, `except X`, `pytest.raises(X)`,
`isinstance(e, X)`.

Exported code (`claudette/*.py`, written from the `#| export` cells) has to name such types in one place: where it turns
them into claudette's guarantee, as `core.api_error` makes an `httpx2.TransportError` an `APIConnectionError`. There the
check asks that the branch that names the type *translates* it: the `except` handler, or the body of the `if` that
tests `isinstance`, raises or returns a new exception (`raise X(...)`, `return X(...)`). A handler that swallows the
type or re-raises it as it is lets the dependency's type reach claudette's users, and fails the check.
"""
import ast, json, sys, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTTP_STACK = {"httpx", "httpx2", "httpcore", "httpcore2", "anyio", "h11", "h2", "sniffio"}
OURS = {"claudette"}


def imports(tree: ast.AST) -> dict:
    "Local name -> dotted path, for every import anywhere in `tree` (a notebook's cells share one namespace)"
    names = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names: names[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(n, ast.ImportFrom) and n.module and not n.level:
            for a in n.names: names[a.asname or a.name] = f"{n.module}.{a.name}"
    return names


def dotted(node: ast.AST, names: dict) -> str | None:
    "The dotted path an expression like `httpx2.RemoteProtocolError` or an imported name stands for"
    parts = []
    while isinstance(node, ast.Attribute): parts.append(node.attr); node = node.value
    if not isinstance(node, ast.Name): return None
    return ".".join([names.get(node.id, node.id), *reversed(parts)])


def internal(path: str | None) -> bool:
    "Is `path` a type of the HTTP stack, or of a private module of a dependency (not claudette, not the standard library)?"
    if not path or "." not in path: return False
    top, *rest = path.split(".")
    if top in HTTP_STACK: return True
    if top in OURS or top in sys.stdlib_module_names: return False
    return any(p.startswith("_") and not p.startswith("__") for p in rest[:-1])


def _types(node: ast.AST) -> list:
    "The type expressions of an exception position: one, or each of a tuple"
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def expected_types(tree: ast.AST):
    "(line, type expression, the node whose branch handles it or None) of every exception a piece of code expects or catches"
    for n in ast.walk(tree):
        if isinstance(n, ast.ExceptHandler) and n.type is not None:
            for t in _types(n.type): yield n.lineno, t, n
        elif isinstance(n, ast.Call):
            name, kw = _callee(n), {k.arg: k.value for k in n.keywords}
            if name in ("expect_fail", "raises") and (n.args or "exc" in kw or "expected_exception" in kw):
                for t in _types(n.args[0] if n.args else kw.get("exc", kw.get("expected_exception"))): yield n.lineno, t, None
            elif name == "test_fail" and ("exc" in kw or len(n.args) > 3):
                for t in _types(kw["exc"] if "exc" in kw else n.args[3]): yield n.lineno, t, None
            elif name == "isinstance" and len(n.args) == 2:
                for t in _types(n.args[1]): yield n.lineno, t, n


def translates(body: list) -> bool:
    "Does a branch raise or return a new exception (not re-raise the one it caught)?"
    for n in (m for s in body for m in ast.walk(s)):
        if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call): return True
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Call) and _callee(n.value).endswith(("Error", "Exception")): return True
    return False


def _branch(tree: ast.AST, node: ast.AST) -> list:
    "The statements that handle `node`: an except handler's body, or the body of the `if` whose test holds the isinstance"
    if isinstance(node, ast.ExceptHandler): return node.body
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and any(m is node for m in ast.walk(n.test)): return n.body
    return []


def parse(source: str) -> ast.AST:
    "`source` parsed, IPython magics and shell lines blanked (line numbers kept)"
    lines = ["" if l.lstrip().startswith(("%", "!")) else l for l in source.splitlines()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in the code read are not this check's business
        return ast.parse("\n".join(lines))


def findings(source: str, where: str, exported: bool = False, names: dict | None = None) -> list:
    "Each place in `source` that expects or catches a dependency's internal exception type (unless exported code translates it)"
    tree = parse(source)
    names, out = names or imports(tree), []
    for line, t, node in sorted(expected_types(tree), key=lambda x: x[0]):
        if not internal(path := dotted(t, names)): continue
        if exported and node is not None and translates(_branch(tree, node)): continue
        out.append(f"{where}:{line}: {path}")
    return out


def _is_export(src: str) -> bool:
    return any(l.replace(" ", "").startswith(("#|export", "#|exports", "#|exporti")) for l in src.splitlines()[:3])


def notebook_findings(path: Path, where: str) -> list:
    "Findings in the code cells of a notebook that are not exported (its tests), with the imports of all its cells"
    cells = json.loads(path.read_text())["cells"]
    srcs = [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    names = {}
    for _, s in srcs: names |= imports(parse(s))
    return [f for i, s in srcs if not _is_export(s) for f in findings(s, f"{where} cell {i}", names=names)]


def scan(root: Path = ROOT) -> list:
    "Findings in every notebook's test cells and tests/**/*.py (as test code), and in claudette/*.py (as exported code)"
    out = []
    for nb in sorted((root/"nbs").glob("*.ipynb")): out += notebook_findings(nb, nb.relative_to(root).as_posix())
    for f in sorted((root/"tests").rglob("*.py")): out += findings(f.read_text(), f.relative_to(root).as_posix())
    for f in sorted((root/"claudette").rglob("*.py")): out += findings(f.read_text(), f.relative_to(root).as_posix(), exported=True)
    return out


PLANTED = """
import httpx2, anyio, pytest, anthropic, json
from httpx2 import RemoteProtocolError as Cut
from anthropic._exceptions import APIStatusError
from fastcore.test import expect_fail, test_fail
with expect_fail(httpx2.RemoteProtocolError): pass
test_fail(lambda: 1, exc=anyio.EndOfStream)
test_fail(lambda: 1, "", "", Cut)
with pytest.raises((ValueError, APIStatusError)): pass
try: pass
except (json.JSONDecodeError, Cut): pass
assert isinstance(ValueError(), httpx2.ReadError)
with expect_fail(anthropic.APIConnectionError): pass
with expect_fail(json.JSONDecodeError): pass
"""


def test_planted_pins_are_found():
    "Every way to pin an internal type is found, in the lines planted; the public and standard types are not"
    found = findings(PLANTED, "planted")
    assert found == ["planted:6: httpx2.RemoteProtocolError", "planted:7: anyio.EndOfStream", "planted:8: httpx2.RemoteProtocolError",
                     "planted:9: anthropic._exceptions.APIStatusError", "planted:11: httpx2.RemoteProtocolError",
                     "planted:12: httpx2.ReadError"], found


def test_exported_code_may_only_translate():
    "Exported code may name an internal type only in a branch that raises or returns a new exception"
    wraps = "import httpx2\ndef api_error(e):\n    if isinstance(e, httpx2.TransportError):\n        return APIConnectionError(message='cut')\n    return e\n"
    wraps_except = "import httpx2\ntry: pass\nexcept httpx2.ReadError as e: raise ToolError('the server went away') from e\n"
    swallows = "import httpx2\ntry: pass\nexcept httpx2.ReadError: pass\n"
    reraises = "import httpx2\ntry: pass\nexcept httpx2.ReadError: raise\n"
    assert findings(wraps, "x", exported=True) == findings(wraps_except, "x", exported=True) == []
    assert findings(swallows, "x", exported=True) == ["x:3: httpx2.ReadError"]
    assert findings(reraises, "x", exported=True) == ["x:3: httpx2.ReadError"]
    assert findings(wraps, "x") == ["x:3: httpx2.TransportError"]  # in a test, even a translating branch pins the type


def test_planted_notebook_fails_the_scan(tmp_path):
    "A notebook with a planted pin makes the scan fail; the same cell exported, translating, does not count as a test"
    (tmp_path/"nbs").mkdir(); (tmp_path/"tests").mkdir(); (tmp_path/"claudette").mkdir()
    cell = lambda src: {"cell_type": "code", "source": src, "metadata": {}, "outputs": [], "execution_count": None}
    nb = {"cells": [cell("import httpx2"), cell("%time x = 1\nwith expect_fail(httpx2.RemoteProtocolError): stream()")]}
    (tmp_path/"nbs"/"01_x.ipynb").write_text(json.dumps(nb))
    assert scan(tmp_path) == ["nbs/01_x.ipynb cell 1:2: httpx2.RemoteProtocolError"]
    nb["cells"][1] = cell("#| export\ntry: stream()\nexcept httpx2.RemoteProtocolError: pass")
    (tmp_path/"nbs"/"01_x.ipynb").write_text(json.dumps(nb))
    assert scan(tmp_path) == []


def test_repo_pins_no_internal_type():
    "No test of this repository expects or catches a dependency's internal exception type; exported code only translates them"
    found = scan()
    assert found == [], "Tests must assert claudette's guarantees, not a dependency's internals:\n" + "\n".join(found)
