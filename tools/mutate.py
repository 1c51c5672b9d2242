"""Mutation testing of the notebooks: plant one small bug in an exported cell, run that notebook, see if a test fails.

    python tools/mutate.py [--n 40] [--seed 0] [--timeout 300] [--workers 2] [notebook ...]

A mutant is one small change to the code of a `#| export` cell (flip a comparison, swap `and`/`or`, drop a `raise`,
return `None`, negate a condition, flip a boolean, change a number, swap `+`/`-`). The notebook is copied with the
mutant in place, and so is the package (the cell's exported code in a temporary copy of `claudette/`, first on the
path), since code the chapter calls through the package (a hook, another module) runs the package's copy, not the
notebook's; the notebook is then run as nbdev-test runs it (but with that copy first on the path, in the notebook and in
the processes it starts): a failure (or a timeout) means the tests caught the mutant. A seeded random
sample of mutants is drawn from all notebooks (or the ones named), so two runs with the same seed on the same code
try the same mutants. Survivors are listed with their place, so a test can be written for each.
"""
import argparse, ast, json, os, random, re, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

root = Path(__file__).resolve().parent.parent
FLIPS = {ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.Lt: ("<", ">="), ast.GtE: (">=", "<"),
         ast.Gt: (">", "<="), ast.LtE: ("<=", ">"), ast.Is: ("is", "is not"), ast.IsNot: ("is not", "is"),
         ast.In: ("in", "not in"), ast.NotIn: ("not in", "in")}
BINOPS = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "//")}

@dataclass
class Mutant:
    "One planted bug: in notebook `nb`, cell `cell`, replace bytes `start:end` of the cell's source with `new`"
    nb: str
    cell: int
    start: int
    end: int
    new: str
    kind: str
    line: str   # the cell's line it changes, for the report

def _offsets(src:bytes)->list:
    "Byte offset of the start of each line of `src` (ast counts lines from 1 and columns in UTF-8 bytes)"
    offs, pos = [0, 0], 0
    for line in src.splitlines(keepends=True):
        pos += len(line); offs.append(pos)
    return offs

def _between(src:bytes, a:int, b:int, old:str):
    "The (start, end) of token `old` in `src[a:b]`, or None"
    m = re.search(rb"(?<![\w=<>!])" + re.escape(old.encode()).replace(rb"\ ", rb"\s+") + rb"(?![\w=])", src[a:b])
    return (a + m.start(), a + m.end()) if m else None

def cell_mutants(src:str, nb:str, cell:int)->list:
    "Every mutant of the code `src` of one exported cell"
    b = src.encode()
    try: tree = ast.parse(src)
    except SyntaxError: return []
    offs, out = _offsets(b), []
    pos = lambda n: offs[n.lineno] + n.col_offset
    end = lambda n: offs[n.end_lineno] + n.end_col_offset
    def add(s, e, new, kind):
        ln = b[:s].count(b"\n")
        out.append(Mutant(nb, cell, s, e, new, kind, src.splitlines()[ln].strip()[:100]))
    for n in ast.walk(tree):
        if isinstance(n, ast.Compare) and type(n.ops[0]) in FLIPS:
            old, new = FLIPS[type(n.ops[0])]
            if (se := _between(b, end(n.left), pos(n.comparators[0]), old)): add(*se, new, "flip comparison")
        elif isinstance(n, ast.BoolOp) and len(n.values) == 2:
            old, new = ("and", "or") if isinstance(n.op, ast.And) else ("or", "and")
            if (se := _between(b, end(n.values[0]), pos(n.values[1]), old)): add(*se, new, "swap and/or")
        elif isinstance(n, ast.BinOp) and type(n.op) in BINOPS and not isinstance(n.left, ast.Constant):
            old, new = BINOPS[type(n.op)]
            if (se := _between(b, end(n.left), pos(n.right), old)): add(*se, new, "swap arithmetic")
        elif isinstance(n, ast.Raise): add(pos(n), end(n), "pass", "drop raise")
        elif isinstance(n, ast.Return) and n.value is not None and not (isinstance(n.value, ast.Constant) and n.value.value is None):
            add(pos(n.value), end(n.value), "None", "return None")
        elif isinstance(n, (ast.If, ast.While, ast.IfExp)):
            add(pos(n.test), end(n.test), "not (" + b[pos(n.test):end(n.test)].decode() + ")", "negate condition")
        elif isinstance(n, ast.Constant) and isinstance(n.value, bool):
            add(pos(n), end(n), str(not n.value), "flip boolean")
        elif isinstance(n, ast.Constant) and type(n.value) is int:
            add(pos(n), end(n), str(n.value + 1), "change number")
    return out

def export_cells(nb_path:Path)->list:
    "(index, source) of each `#| export` cell of a notebook"
    cells = json.loads(nb_path.read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells)
            if c["cell_type"] == "code" and re.match(r"#\|\s*export\s*$", "".join(c["source"]), re.M)]

def all_mutants(nbs:list)->list:
    "Every mutant of every exported cell of notebooks `nbs`"
    return [m for nb in nbs for i, src in export_cells(nb) for m in cell_mutants(src, nb.name, i)]

def apply(m:Mutant, nb_path:Path)->dict:
    "The notebook at `nb_path` with mutant `m` planted"
    nb = json.loads(nb_path.read_text())
    src = "".join(nb["cells"][m.cell]["source"]).encode()
    nb["cells"][m.cell]["source"] = (src[:m.start] + m.new.encode() + src[m.end:]).decode().splitlines(keepends=True)
    return nb

def _code(src:str)->str:
    "A cell's source as nbdev exports it: without its `#|` directives"
    return "\n".join(l for l in src.splitlines() if not l.startswith("#|")).strip()

def mutated_package(m:Mutant, nb:dict, mutant:dict)->Path|None:
    "A temporary folder holding a copy of the package with `m` planted in the cell's exported code; None if not exported verbatim"
    for py in (root/"claudette").rglob("*.py"):  # subpackages too (`claudette/testing/`), whose header reads `../../nbs/`
        marker = f"# %% {Path(os.path.relpath(root/'nbs', py.parent)).as_posix()}/{m.nb} #{nb['cells'][m.cell].get('id')}\n"
        text = py.read_text()
        if marker not in text: continue
        i = text.index(marker) + len(marker)
        j = len(text) if (j := text.find("\n# %% ", i)) < 0 else j
        if text[i:j].strip() != _code("".join(nb["cells"][m.cell]["source"])): return None  # e.g. imports made relative
        d = Path(tempfile.mkdtemp(prefix="_mutant_pkg_"))
        shutil.copytree(root/"claudette", d/"claudette", ignore=shutil.ignore_patterns("__pycache__"))
        (d/py.relative_to(root)).write_text(text[:i] + _code("".join(mutant["cells"][m.cell]["source"])) + "\n" + text[j:])
        return d
    return None

# nbdev-test puts the project's root first on `sys.path`, which would hide the mutated copy of the package: this runs
# the notebook as nbdev-test does (its skip flags and cell timeout), without that, from `nbs/` (no package there)
_RUNNER = """import sys
from nbdev.config import get_config
from nbdev.test import test_nb
cfg = get_config()
flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else cfg.tst_flags
sys.exit(0 if test_nb(sys.argv[1], skip_flags=flags, cell_timeout=cfg.cell_timeout or None)[0] else 1)"""

def run_mutant(m:Mutant, timeout:int):
    "Run the notebook with `m` planted: ('caught'|'survived'|'timeout', seconds)"
    nb_path = root/"nbs"/m.nb
    mutant = apply(m, nb_path)
    with tempfile.NamedTemporaryFile("w", suffix=".ipynb", prefix="_mutant_", dir=nb_path.parent, delete=False) as f:
        json.dump(mutant, f)
    pkg = mutated_package(m, json.loads(nb_path.read_text()), mutant)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [pkg and str(pkg), str(root), os.environ.get("PYTHONPATH")]))}
    t0 = time.time()
    try:
        r = subprocess.run([sys.executable, "-c", _RUNNER, f.name], cwd=nb_path.parent, capture_output=True, text=True, timeout=timeout, env=env)
        verdict = "survived" if r.returncode == 0 else "caught"
    except subprocess.TimeoutExpired: verdict = "timeout"
    finally:
        os.unlink(f.name)
        if pkg: shutil.rmtree(pkg, ignore_errors=True)
    return verdict, time.time() - t0

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*", help="notebooks to mutate (default: every chapter with exported code)")
    p.add_argument("--n", type=int, default=40, help="how many mutants to try")
    p.add_argument("--seed", type=int, default=0, help="seed of the random sample")
    p.add_argument("--timeout", type=int, default=300, help="seconds a mutant's notebook may run (a timeout counts as caught)")
    p.add_argument("--workers", type=int, default=2, help="notebooks run at once")
    a = p.parse_args(argv)
    nbs = [Path(n).resolve() for n in a.notebooks] or sorted(q for q in (root/"nbs").glob("[0-9]*.ipynb") if export_cells(q))
    pool = all_mutants(nbs)
    sample = random.Random(a.seed).sample(pool, min(a.n, len(pool)))
    print(f"{len(pool)} possible mutants in {len(nbs)} notebooks; trying {len(sample)} (seed {a.seed})", flush=True)
    with ThreadPoolExecutor(a.workers) as ex:
        results = list(ex.map(lambda m: run_mutant(m, a.timeout), sample))
    caught = 0
    for m, (verdict, secs) in zip(sample, results):
        caught += verdict != "survived"
        print(f"{verdict:8} {m.nb} cell {m.cell} [{m.kind} -> {m.new!r}] {m.line}", flush=True)
    print(f"mutation score: {caught}/{len(sample)} caught ({100*caught/max(1,len(sample)):.0f}%)")
    return 0

if __name__ == "__main__": sys.exit(main())
