"""Run every notebook in nbs/ as a test, two at a time, and print `N passed, N failed` last.

    python tools/test.py [notebook ...]
"""
import sys, time
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor

def _run(fn):
    from nbdev.test import test_nb
    ok, secs = test_nb(fn, skip_flags=['notest'], basepath=str(Path(fn).resolve().parent.parent))
    return fn, ok, secs

def main(args):
    root = Path(__file__).resolve().parent.parent
    nbs = [Path(a) for a in args] or sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    passed = failed = 0
    with ProcessPoolExecutor(2) as ex:
        for fn, ok, secs in ex.map(_run, nbs):
            print(f"{'PASS' if ok else 'FAIL'} {fn.name} ({secs:.1f}s)", flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
