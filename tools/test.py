"""Run every test of the project and print `N passed, N failed` last.

    python tools/test.py [--site] [notebook-or-test-file ...]

Each notebook in nbs/ runs with nbdev-test, and each `tests/test_*.py` with pytest (for what only pytest can show:
the pytest plugin, the built docs site in a browser...), each in its own process, the longest first (as long as they
took last time, kept in `.test-times.json`). One notebook or one test file counts as one test. One more runs at once
than there are cores (`TEST_WORKERS` sets how many): a test spends much of its time waiting, on its subprocesses and
servers and on the pauses it scripts, and the extra one keeps the cores busy meanwhile.

It works from any shell: nbdev-test is taken from beside the Python running this script (a venv's `bin/`), or the
repository's `.venv/`. The long runs are left to CI (`CI=true`) or asked for: the docs site in a browser
(`tests/test_site.py`, or `--site`) and the long chats (`CLAUDETTE_LONG_TESTS=1`). What is skipped is said, and why.
"""
import json, os, re, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

root = Path(__file__).resolve().parent.parent
TIMES = root/'.test-times.json'
SITE = 'test_site.py'   # builds the docs site and opens every page in Chromium: CI's, or asked for

def tool_dir()->Path:
    "The folder of nbdev-test and its Python: beside the interpreter running this script, else the repository's `.venv`"
    for d in (Path(sys.executable).parent, root/'.venv'/'bin'):
        if (d/'nbdev-test').exists(): return d
    sys.exit(f"nbdev-test is not beside {sys.executable} nor in {root/'.venv'/'bin'}: "
             "install the project (pip install -e '.[dev]') in the Python that runs this script")

def env()->dict:
    "The environment of each test: the tools' folder first on PATH, so that what a test starts is the same install"
    return {**os.environ, 'PATH': f"{tool_dir()}{os.pathsep}{os.environ.get('PATH', '')}"}

def command(p:Path)->list:
    "The command that runs test file `p`"
    if p.suffix == '.ipynb': return [str(tool_dir()/'nbdev-test'), str(p)]
    return [str(tool_dir()/'python'), '-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider', str(p)]

def corpus_absent()->bool:
    "Whether `../shared` (the recorded corpus) is missing, where `claudette.testing.shared_dir` looks for it"
    return not Path(os.environ.get('CLAUDETTE_SHARED') or root.parent/'shared').is_dir()

def skipped(p:Path, out:str)->list:
    "What test file `p` skipped, and why: pytest's skip reasons, or a notebook's corpus checks without `../shared`"
    if p.suffix == '.py': return [m.group(1) for m in re.finditer(r'^SKIPPED \[\d+\] (.*)$', out, re.M)]
    if corpus_absent() and re.search(r'shared_dir\(|corpus_entries\(|\.\./shared', code_of(p)):
        return ["its checks of the recorded corpus: ../shared is absent (CI fails instead)"]
    return []

def code_of(nb:Path)->str:
    "The code of notebook `nb`'s cells"
    return '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')

def run(p:Path):
    "Run test file `p`: (path, passed, seconds, output)"
    t0 = time.time()
    r = subprocess.run(command(p), cwd=root, capture_output=True, text=True, env=env())
    return p, r.returncode == 0, time.time() - t0, r.stdout + r.stderr

def all_tests(site:bool)->tuple:
    "(the notebooks and pytest files to run, what is left out and why)"
    nbs = sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    tests, left = nbs + sorted((root/'tests').glob('test_*.py')), []
    if not site:
        tests = [p for p in tests if p.name != SITE]
        left = [f"SKIP {SITE}: the docs site in a browser runs under CI=true, or with --site"]
    return tests, left

def longest_first(tests:list)->list:
    "`tests` ordered by their last time (unknown ones first), so that the slowest do not start last"
    last = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    return sorted(tests, key=lambda p: -last.get(p.name, float('inf')))

def main(args):
    site = '--site' in args or os.environ.get('CI') == 'true'
    named = [Path(a).resolve() for a in args if a != '--site']
    tests, left = (named, []) if named else all_tests(site)
    t0, passed, failed, times, skips = time.time(), 0, 0, {}, []
    with ThreadPoolExecutor(int(os.environ.get('TEST_WORKERS', (os.cpu_count() or 2) + 1))) as ex:
        for f in as_completed([ex.submit(run, p) for p in longest_first(tests)]):
            p, ok, secs, out = f.result()
            times[p.name] = round(secs, 1)
            print(f"{'PASS' if ok else 'FAIL'} {p.name} ({secs:.1f}s)", flush=True)
            if not ok: print(out[-4000:], flush=True)
            skips += [f"SKIP {p.name}: {why}" for why in skipped(p, out)]
            passed, failed = passed + ok, failed + (not ok)
    if not named: TIMES.write_text(json.dumps(times, indent=1, sort_keys=True))
    for s in left + skips: print(s)
    print(f"all tests in {time.time()-t0:.0f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
