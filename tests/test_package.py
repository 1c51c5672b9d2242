"""The package as a whole: its modules are layers (each imports only the chapters before it), and one `import claudette`
gives every documented member of its classes, and every claudette type their signatures take.
"""
import ast, json, os, re, subprocess, sys
from pathlib import Path

pkg = Path(__file__).resolve().parent.parent/"claudette"

def chapter(path:Path)->str|None:
    "The notebook a module is exported from (its layer: chapters are ordered by file name), or None for `__init__` and `_modidx`"
    m = re.search(r"File to edit: \.\./nbs/(\S+)\.ipynb", path.read_text())
    return m and m.group(1)

def imports(path:Path)->set:
    "The claudette modules that module `path` imports, anywhere in it (a function's own imports too); 'claudette' for the package itself"
    mods, out = {p.stem for p in pkg.glob("*.py")}, set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "claudette" + (f".{node.module}" if node.module else "") if node.level else node.module or ""
            names = [f"{base}.{a.name}" if base == "claudette" and a.name in mods else base for a in node.names]
        else: continue
        out |= {n.split(".")[1] if n.startswith("claudette.") else n for n in names if n == "claudette" or n.startswith("claudette.")}
    return out

def graph()->dict:
    "Each module (exported from a chapter) and the claudette modules it imports"
    return {p.stem: imports(p) for p in sorted(pkg.glob("*.py")) if chapter(p)}

def test_imports_run_down_the_layers():
    "Every import goes to an earlier chapter: then no module imports the package, nor a later chapter, and there can be no cycle"
    layer = {p.stem: chapter(p) for p in pkg.glob("*.py") if chapter(p)}
    up = [f"{m} ({layer[m]}) imports {d} ({layer.get(d, 'the package')})" for m, deps in graph().items() for d in sorted(deps)
          if d not in layer or layer[d] >= layer[m]]
    assert not up, "imports against the layers: " + "; ".join(up)

def test_the_graph_is_read():
    "The reader above finds the imports it must judge: relative, absolute, inside a function, and of the package"
    code = "from .core import Client\nimport claudette.tools\ndef f():\n    from claudette.log import call_log\nfrom . import persist\nfrom claudette import __version__\n"
    p = Path(__file__).parent/"_imports_sample.py"
    try:
        p.write_text(code)
        assert imports(p) == {"core", "tools", "log", "persist", "claudette"}
    finally: p.unlink()
    assert "log" in graph()["core"] and "persist" not in graph()["core"]

CHECK = r"""
import claudette, inspect, json, types, typing
from claudette._modidx import d
public = {n: o for n, o in vars(claudette).items() if isinstance(o, type) and o.__module__.startswith("claudette.")}
missing, unexported, checked = [], set(), 0
def named_types(a):
    "The classes an annotation names, unions and generics opened"
    if isinstance(a, type): yield a
    for x in typing.get_args(a): yield from named_types(x)
for mod, syms in d["syms"].items():
    for sym in syms:
        parts = sym[len(mod) + 1:].split(".")
        if len(parts) != 2 or parts[0] not in public or (parts[1].startswith("_") and not parts[1].startswith("__")): continue
        for cls in [c for c in public.values() if issubclass(c, public[parts[0]])]:  # AsyncChat has what Chat has
            checked += 1
            if not hasattr(cls, parts[1]): missing.append(f"{cls.__name__}.{parts[1]}"); continue
            f = inspect.getattr_static(cls, parts[1])
            f = getattr(f, "fget", None) or getattr(f, "__func__", f)
            try: sig = inspect.signature(f)
            except (TypeError, ValueError): continue
            for a in [p.annotation for p in sig.parameters.values()] + [sig.return_annotation]:
                for t in named_types(a):
                    if t.__module__.startswith("claudette.") and getattr(claudette, t.__name__, None) is not t:
                        unexported.add(f"{t.__name__} (in {cls.__name__}.{parts[1]})")
print(json.dumps({"checked": checked, "missing": missing, "unexported": sorted(unexported)}))
"""

def test_one_import_gives_the_whole_library():
    "In a fresh interpreter, after `import claudette` alone: every member the docs index on a class claudette exports exists, and the types they take are exported"
    r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, cwd=pkg.parent)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout.splitlines()[-1])
    assert found["checked"] > 50, found  # the docs index was read: Chat's, AsyncChat's and Client's members at least
    assert found["missing"] == [], found["missing"]
    assert found["unexported"] == [], found["unexported"]

USE = """
import copy, claudette
chat = claudette.Chat("claude-sonnet-5-5", budget=claudette.Budget(usd=1))
chat.h.append({"role": "user", "content": "hi"})
twin = copy.deepcopy(chat); twin.h[0]["content"] = "changed"
print(chat.h[0]["content"], twin.h[0]["content"], all(callable(f) for f in (chat.save, chat.fork, claudette.Chat.load, claudette.Chat.from_log)))
"""

def test_the_issues_cases_after_one_import():
    "The cases found missing until `claudette.persist` was imported: `Budget`, `copy.deepcopy(chat)`, save, fork, load and from_log"
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"} | {"ANTHROPIC_API_KEY": "sk-not-used"}
    r = subprocess.run([sys.executable, "-c", USE], capture_output=True, text=True, cwd=pkg.parent, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["hi", "changed", "True"], r.stdout
