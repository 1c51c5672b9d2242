"""The package as a whole: its modules are layers (each imports only the chapters before it), and one `import claudette`
gives every documented member of its classes, and every claudette type their signatures take.
"""
import ast, json, os, re, subprocess, sys
from pathlib import Path

pkg = Path(__file__).resolve().parent.parent/"claudette"

def chapter(path:Path)->str|None:
    "The notebook a module is exported from (its layer: chapters are ordered by file name), or None for what no chapter exports (`claudette/__init__`, `_modidx`)"
    m = re.search(r"File to edit: (?:\.\./)+nbs/(\S+)\.ipynb", path.read_text())
    return m and m.group(1)

def module_name(path:Path)->str:
    "The dotted name of the module at `path` inside claudette: `core`, `testing.server`; a subpackage's `__init__` is the package, `testing`"
    parts = path.relative_to(pkg).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

def module_files()->list:
    "Every module a chapter exports, subpackages' included"
    return [p for p in sorted(pkg.rglob("*.py")) if chapter(p)]

def imports(path:Path, # A module's file
            package:str|None=None # The package its relative imports start from; the one it is in if None
           )->set:
    "The claudette modules that module `path` imports, anywhere in it (a function's own imports too), as dotted names inside claudette; 'claudette' for the package itself"
    if package is None: package = ".".join(("claudette", *path.relative_to(pkg).parent.parts))
    mods, out = {"claudette." + module_name(p) for p in pkg.rglob("*.py")}, set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level: base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *([node.module] if node.module else [])])
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]  # `from . import persist` imports a module
        else: continue
        out |= {n.removeprefix("claudette.") for n in names if n == "claudette" or n.startswith("claudette.")}
    return out

def graph()->dict:
    "Each module (exported from a chapter) and the claudette modules it imports"
    return {module_name(p): imports(p) for p in module_files()}

def against_layers(graph:dict, # Each module and the modules it imports
                   layer:dict # Each module's chapter
                  )->list:
    "The imports that do not go down the layers, in words"
    def package(m): return next((q for q in layer if "." not in q and m.startswith(q + ".")), None)   # the subpackage `m` is a part of
    def last(q): return max(layer[m] for m in layer if m == q or m.startswith(q + "."))   # a subpackage is loaded whole: its `__init__` imports its parts
    bad = []
    for m, deps in graph.items():
        for d in sorted(deps):
            if d not in layer: bad.append(f"{m} ({layer[m]}) imports {d} (the package)"); continue
            if d == package(m): bad.append(f"{m} ({layer[m]}) imports its own package {d}: a circle"); continue
            if package(d) == m: continue   # a package's `__init__` is the sum of its parts
            inside = package(d) is not None and package(d) == package(m)
            dl = layer[d] if inside or (package(d) is None and d not in {package(x) for x in layer}) else last(package(d) or d)
            if dl >= layer[m]: bad.append(f"{m} ({layer[m]}) imports {d} ({layer[d] if dl == layer[d] else f'{layer[d]}, and its package loads parts up to {dl}'})")
    return bad

def test_imports_run_down_the_layers():
    "Every import goes to an earlier chapter: then no module imports the package, nor a later chapter, and there can be no cycle"
    layer = {module_name(p): chapter(p) for p in module_files()}
    up = against_layers(graph(), layer)
    assert not up, "imports against the layers: " + "; ".join(up)

def test_the_layers_are_judged():
    "The judge above catches an upward arrow, inside a subpackage too, a part importing its package (a circle), and a module importing a subpackage before all its parts"
    layer = {"models": "00_models", "testing": "01_testing", "testing.replies": "01a_replies", "testing.server": "01e_server", "messages": "02_messages"}
    fine = {"testing": {"testing.replies", "testing.server"}, "testing.server": {"testing.replies", "models"}, "messages": {"testing", "models"}}
    assert against_layers(fine, layer) == []
    assert against_layers(fine | {"testing.replies": {"testing.server"}}, layer) == ["testing.replies (01a_replies) imports testing.server (01e_server)"]
    assert against_layers(fine | {"testing.server": {"testing"}}, layer) == ["testing.server (01e_server) imports its own package testing: a circle"]
    assert against_layers(fine | {"models": {"testing.replies"}}, layer) == ["models (00_models) imports testing.replies (01a_replies, and its package loads parts up to 01e_server)"]
    assert against_layers(fine | {"testing.replies": {"claudette"}}, layer) == ["testing.replies (01a_replies) imports claudette (the package)"]

def test_the_graph_is_read():
    "The reader above finds the imports it must judge: relative, absolute, inside a function, of the package, and relative inside a subpackage"
    code = "from .core import Client\nimport claudette.tools\ndef f():\n    from claudette.log import call_log\nfrom . import persist\nfrom claudette import __version__\n"
    p = Path(__file__).parent/"_imports_sample.py"
    try:
        p.write_text(code)
        assert imports(p, "claudette") == {"core", "tools", "log", "persist", "claudette"}
        p.write_text("from .replies import reply\nfrom ..modelinfo import resolve\nfrom . import faults\nfrom claudette.testing import Fault\n")
        assert imports(p, "claudette.testing") == {"testing.replies", "modelinfo", "testing.faults", "testing"}
    finally: p.unlink()
    assert "log" in graph()["core"] and "persist" not in graph()["core"]
    assert "testing.replies" in graph()["testing.server"] and "testing.server" in graph()["testing"]

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

TESTING = """
import json, sys, claudette.testing as t
names = '''MEDIA_TOKENS ERROR_TYPES TOOL_NAME_PATTERN REQUEST_RULES CLEARED_TOOL_RESULT EDIT_TRIGGERS BATCH_MAX_REQUESTS
BATCH_MAX_BYTES BATCH_EXPIRY ANTHROPIC_URL REDACTED text_block thinking_block redacted_thinking_block tool_use_block
server_tool_use_block web_search_result_block char_citation web_citation usage_json Reply reply estimate_tokens prompt_tokens
Fault Delay Drop Raw Turn turns RequestCheck no_sampling_params well_formed model_exists max_tokens_in_range messages_given
first_turn_user content_non_empty text_blocks_non_empty tool_names_valid tool_names_unique tool_choice_known tool_uses_answered
tool_results_match cache_marks cache_breakpoints cache_ttl_order thinking_budget thinking_not_forced prefill_supported
forced_tool_supported thinking_supported effort_supported structured_supported prompt_fits check_request sse_events sse_text
Request LocalClaude Route route since_compaction clear_tool_uses clear_thinking ContextEdits context_edits BatchPlan LocalBatch
LocalBatches RateLimit mcp_tool_use_block mcp_tool_result_block mcp_tool_listing_block mcp_servers_valid point_env restore_env
local_env is_offline offline_session end_offline_session shared_dir corpus_entries Match Script scrub load_cassette
save_cassette rebase first_difference'''.split()
members = {"LocalClaude": "script pending clear last client async_client add_route respond known_models batches rate_limit when assert_sent unused verify recording replaying".split(),
           "Request": "messages tools tool_names system prompt params".split()}
missing = [n for n in names if n not in t.__all__ or not hasattr(t, n)]
missing += [f"{c}.{m}" for c, ms in members.items() for m in ms if not hasattr(getattr(t, c), m)]
from claudette.testing import *
missing += [n for n in names if n not in globals()]
with LocalClaude(responder=lambda req: reply("ok")) as srv:
    cli = srv.client()
    srv.batches.plan = BatchPlan(errored=0.5)
    b = cli.messages.batches.create(requests=[{"custom_id": f"r{i}", "params": {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}} for i in range(2)])
    counts = cli.messages.batches.retrieve(b.id).request_counts
    srv.script(Fault(529))
    try: cli.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "hi"}]); fault = None
    except Exception as e: fault = type(e).__name__
    srv.rate_limit = RateLimit(rpm=60, burst=1)
    limited = cli.messages.with_raw_response.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "hi"}]).headers.get("anthropic-ratelimit-requests-limit")
    srv.assert_sent(contains="hi")
print(json.dumps({"missing": missing, "batch": [counts.succeeded, counts.errored], "fault": fault, "limited": limited,
                  "mcp_rule": mcp_servers_valid in REQUEST_RULES, "parts": sorted(m for m in sys.modules if m.startswith("claudette.testing."))}))
"""

def test_one_import_gives_the_whole_testing_package():
    "In a fresh interpreter, after `import claudette.testing` alone: every public name it had before it became a package, the members its parts add to `LocalClaude` and `Request`, and batches, faults, rate limits and the MCP rule working on a `LocalClaude`"
    r = subprocess.run([sys.executable, "-c", TESTING], capture_output=True, text=True, cwd=pkg.parent)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout.splitlines()[-1])
    assert found["missing"] == [], found["missing"]
    assert (found["batch"], found["fault"], found["limited"], found["mcp_rule"]) == ([1, 1], "OverloadedError", "60", True), found
    parts = sorted(f"claudette.{module_name(p)}" for p in module_files() if module_name(p).startswith("testing."))
    assert found["parts"] == parts, found["parts"]   # every part is loaded by the one import

def test_the_wheel_holds_every_subpackage():
    "The packages pyproject.toml gives setuptools are every package of claudette, so a built wheel holds `claudette.testing` (and the pytest plugin that imports it) too"
    import tomllib
    from setuptools import find_packages
    include = tomllib.loads((pkg.parent/"pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {".".join(("claudette", *p.parent.relative_to(pkg).parts)) for p in pkg.rglob("__init__.py")}
    assert set(find_packages(str(pkg.parent), include=include)) == packages, include
