"""Run every notebook in nbs/ as a test (each in its own process, two at a time) and print `N passed, N failed` last.

    python tools/test.py [notebook ...]
"""
import subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def run(nb:Path):
    "Run notebook `nb` with nbdev-test: (name, passed, seconds, output)"
    t0 = time.time()
    p = subprocess.run(["nbdev-test", str(nb)], cwd=root, capture_output=True, text=True)
    return nb.name, p.returncode == 0, time.time() - t0, p.stdout + p.stderr

def main(args):
    nbs = [Path(a).resolve() for a in args] or sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    passed = failed = 0
    with ThreadPoolExecutor(2) as ex:
        for name, ok, secs, out in ex.map(run, nbs):
            print(f"{'PASS' if ok else 'FAIL'} {name} ({secs:.1f}s)", flush=True)
            if not ok: print(out[-4000:], flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
