"""How the chapters read: export cell sizes, definitions per cell, and how many test assertions the docs show.

    python tools/nbstats.py [--max-lines 40] [--max-median 10] [--check] [notebook ...]

Per notebook: the number of export cells (`#| export`, `#| exports` and `#| exporti`), their median and largest size in lines,
the median and largest number of definitions (`def`, `async def`, `class` at the top of the cell), the cells over 30
lines that give no reason (a comment `# long: why` in the cell), the cells over `--max-lines`, and the share of test
assertions (`test_*(`, `expect_fail`, `assert`) that stand in visible cells (not `#| hide`). The last line gives the
same for the whole project. With `--check` it exits 1 if any export cell is over the limit, if the project's median
export cell is over `--max-median` lines, if a cell over 30 lines gives no reason, or if fewer than 80% of all
assertions are visible.
"""
import argparse, json, re, statistics, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ASSERTION = re.compile(r"^\s*(?:with\s+)?(?:test_\w+\(|expect_fail\(|assert\b)", re.M)
MIN_VISIBLE = 0.8
LONG, LONG_WHY = 30, re.compile(r"^\s*# long: \S", re.M)  # a cell over LONG lines says why, in a comment
DEFINITION = re.compile(r"^(?:@patch\S*\s*\n)?(?:async\s+def|def|class)\s", re.M)

def directives(src:str)->set:
    "The nbdev directives (`#| export`, `#| hide`...) of a cell"
    return {m[1] for m in re.finditer(r"^#\|\s*(\w+)", src, re.M)}

def code_lines(src:str)->int:
    "Lines of a cell, without its directives and blank lines"
    return sum(1 for l in src.splitlines() if l.strip() and not l.startswith("#|"))

def definitions(src:str)->int:
    "Top-level functions and classes a cell defines"
    return len(DEFINITION.findall(src))

def stats(nb:Path)->dict:
    "Export cell sizes, definitions and assertion visibility of one notebook"
    cells = [("".join(c["source"])) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    exported = [(i, s) for i, s in enumerate(cells) if directives(s) & {"export", "exports", "exporti"}]
    sizes = [(i, code_lines(s)) for i, s in exported]
    defs = [definitions(s) for _, s in exported]
    unexplained = [i for i, s in exported if code_lines(s) > LONG and not LONG_WHY.search(s)]
    shown = hidden = 0
    for s in cells:
        n = len(ASSERTION.findall(s))
        if "hide" in directives(s): hidden += n
        else: shown += n
    return dict(nb=nb.name, exports=len(sizes), median=statistics.median([n for _, n in sizes]) if sizes else 0,
                largest=max((n for _, n in sizes), default=0), sizes=sizes, defs=defs, long=unexplained,
                shown=shown, hidden=hidden)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--max-lines", type=int, default=40)
    p.add_argument("--max-median", type=float, default=10)
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    nbs = [Path(n) for n in a.notebooks] or sorted(q for q in (root/"nbs").glob("*.ipynb") if not q.name.startswith("_"))
    rows = [stats(nb) for nb in nbs]
    print(f"{'notebook':24} {'exports':>7} {'median':>6} {'largest':>7} {'defs':>4} {'most':>4} {'>30':>4} {'over':>4} {'visible tests':>14}")
    for r in rows:
        over = [i for i, n in r["sizes"] if n > a.max_lines]
        tot = r["shown"] + r["hidden"]
        vis = f"{r['shown']}/{tot} ({100*r['shown']/tot:.0f}%)" if tot else "-"
        dmed = statistics.median(r["defs"]) if r["defs"] else 0
        print(f"{r['nb']:24} {r['exports']:7} {r['median']:6.0f} {r['largest']:7} {dmed:4.0f} {max(r['defs'], default=0):4} "
              f"{len(r['long']):4} {len(over):4} {vis:>14}" + (f"  over {a.max_lines}: cells {over}" if over else ""))
    shown, tot = sum(r["shown"] for r in rows), sum(r["shown"] + r["hidden"] for r in rows)
    n_over = sum(1 for r in rows for _, n in r["sizes"] if n > a.max_lines)
    sizes, defs = [n for r in rows for _, n in r["sizes"]], [d for r in rows for d in r["defs"]]
    print(f"all: {len(sizes)} export cells, median {statistics.median(sizes) if sizes else 0:.0f} lines and "
          f"{statistics.median(defs) if defs else 0:.0f} definitions, {sum(d > 2 for d in defs)} with more than 2; "
          f"{sum(len(r['long']) for r in rows)} over {LONG} lines without a reason; {n_over} over {a.max_lines} lines; "
          f"{shown}/{tot} assertions visible ({100*shown/max(tot,1):.0f}%)")
    n_long = sum(len(r['long']) for r in rows)
    median = statistics.median(sizes) if sizes else 0
    return 1 if a.check and (n_over or n_long or median > a.max_median or shown < MIN_VISIBLE * tot) else 0

if __name__ == "__main__": sys.exit(main())
