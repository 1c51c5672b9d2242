"""Run every test of the project and print `N passed, N failed` last.

    python tools/test.py [notebook-or-test-file ...]

Each notebook in nbs/ runs with nbdev-test, and each `tests/test_*.py` with pytest (for what only pytest can show:
the pytest plugin, the built docs site in a browser...), each in its own process, two at a time. One notebook or
one test file counts as one test.
"""
import os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def command(p:Path)->list:
    "The command that runs test file `p`"
    return ["nbdev-test", str(p)] if p.suffix == ".ipynb" else [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(p)]

def run(p:Path):
    "Run test file `p`: (name, passed, seconds, output)"
    t0 = time.time()
    r = subprocess.run(command(p), cwd=root, capture_output=True, text=True)
    return p.name, r.returncode == 0, time.time() - t0, r.stdout + r.stderr

def all_tests()->list:
    "The notebooks, then the pytest files"
    nbs = sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    return nbs + sorted((root/'tests').glob('test_*.py'))

def main(args):
    tests = [Path(a).resolve() for a in args] or all_tests()
    passed = failed = 0
    with ThreadPoolExecutor(2) as ex:
        for name, ok, secs, out in ex.map(run, tests):
            print(f"{'PASS' if ok else 'FAIL'} {name} ({secs:.1f}s)", flush=True)
            if not ok: print(out[-4000:], flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
