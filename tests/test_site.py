"""The documentation site, opened page by page in a real browser.

Builds `_docs/` with the docs command (or checks the site in `$DOCS_SITE`, already built), serves it on 127.0.0.1 and
opens every page in Debian's headless `chromium` through its `chromedriver` (no browser is downloaded). A screenshot of
each page goes to `_screenshots/` (git-ignored). `.ci/run` apt-installs both programs; elsewhere the test skips
without them.
"""
import functools, html, inspect, os, re, shutil, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

root = Path(__file__).resolve().parent.parent
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--window-size=1280,1000']
SHOTS = root/'_screenshots'
# Outputs that are the plain repr of something claudette displays richly: an SDK reply, a reply as a raw dict, an object
# with no repr at all. Wire-format dicts (tool schemas, message params) are the point of their lessons and are allowed.
RAW_REPR = re.compile(r"^\s*(\w*Message\(|\{'type': 'message'|\{'id': 'msg_|<\w+(\.\w+)* object at 0x)")

def page_name(nb:Path)->str:
    "The page nbdev names notebook `nb`: its name without the number prefix (`00_models.ipynb` is `models.html`)"
    return re.sub(r'^\d+[a-z]?_', '', nb.stem) + '.html'  # nbdev drops a leading number, with its letter (04a_)

def chapters()->list:
    "Every chapter's page, in the order of the notebooks: the sidebar's order"
    nbs = sorted(p for p in (root/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    return ['index.html'] + [page_name(p) for p in nbs if p.stem != 'index']

def check(problems, what:str):
    "Fail with `what` and the `problems` (a list, or a dict of them by page), without a long traceback"
    if isinstance(problems, dict): problems = [f"{p}: {v}" for p, v in problems.items()]
    if problems: pytest.fail(f"{what}:\n" + '\n'.join(f"  {p}" for p in problems), pytrace=False)

@pytest.fixture(scope='module')
def site()->Path:
    if os.environ.get('DOCS_SITE'): return Path(os.environ['DOCS_SITE']).resolve()
    r = subprocess.run([sys.executable, 'tools/docs.py'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, f"the docs command failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return root/'_docs'

class Handler(SimpleHTTPRequestHandler):
    "Serves the site quietly, noting each request's path and status"
    def log_message(self, fmt, *args): pass
    def log_request(self, code='-', size='-'): self.server.seen.append((self.path, int(code)))

class Server(ThreadingHTTPServer):
    "Quiet about a browser that stops reading a response it no longer needs"
    def handle_error(self, request, client_address): pass

@pytest.fixture(scope='module')
def server(site):
    srv = Server(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    srv.seen = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope='module')
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get('CI') == 'true': pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: .ci/run installs them")
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix='site-test-profile-')
    for f in FLAGS + [f'--user-data-dir={profile}']: opts.add_argument(f)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)

READ_PAGE = r"""
const HIGHLIGHTABLE = /\b(await|def|import|from|return|for|if|with|class|True|False|None)\b|['"]|\d|[=+*<>]/;
const look = el => { const s = getComputedStyle(el); return [s.color, s.fontWeight, s.fontStyle].join(); };
const blocks = [...document.querySelectorAll('pre.cell-code code')];
const prose = el => { let t = '', w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n;
  while ((n = w.nextNode())) if (!n.parentElement.closest('code, pre')) t += n.textContent; return t; };
const styled = c => [...c.querySelectorAll('span')].some(s => look(s) !== look(c));
return {
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  sidebar: [...document.querySelectorAll('#quarto-sidebar a.sidebar-link')].map(a => a.getAttribute('href')),
  navbar: document.querySelector('nav.navbar')?.innerText || '',
  search: !!document.querySelector('nav.navbar .smalldocs-search input, nav.navbar #quarto-search'),
  code: blocks.length,
  // a cell's code with a keyword, a string, a number or an operator in it must show some of them styled
  plain: blocks.filter(c => !c.classList.contains('python') || (HIGHLIGHTABLE.test(c.innerText) && !styled(c)))
               .map(c => c.innerText.slice(0, 80)),
  outputs: [...document.querySelectorAll('.cell-output')].map(o => o.innerText),
  defaults: document.querySelector('main').innerText.match(/<[\w.]+ object at 0x[0-9a-f]+>/g) || [],
  // a chapter's own types as nbdev saw them while running its cells (`__main__.Turn`), not as a reader imports them
  qualified: document.querySelector('main').innerText.match(/__main__\.\w+/g) || [],
  // Markdown the renderer did not read, such as a link inside a link: `](` in prose, outside code
  markdown: [...document.querySelectorAll('main p, main li, main td')].map(prose).filter(t => /\]\(/.test(t)),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  // the table of contents: each entry's text, and whether it names a documented member (a show_doc heading)
  toc: [...document.querySelectorAll('#TOC a')].map(a => {
    const t = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    return [a.innerText.trim(), !!(t && t.closest('.cell-output'))]; }),
  // each documented member: its name and its signature as shown, and whether the signature is cut off on the right
  members: [...document.querySelectorAll('main .cell-output h2, main .cell-output h3, main .cell-output h4')].map(h => {
    const pre = h.parentElement.querySelector('pre');
    return [h.innerText.trim(), pre ? pre.innerText : '', pre ? pre.scrollWidth > pre.clientWidth + 1 : false]; }),
  // Markdown tables (not outputs) that lost their shape: an empty header, a row of another width, a stray backtick (a
  // code span split by a `|`), or wider than the page's column, and so cut off
  tables: [...document.querySelectorAll('main table')].filter(t => !t.closest('.cell-output')).flatMap(t => {
    const heads = [...t.querySelectorAll('thead th')], rows = [...t.querySelectorAll('tbody tr')], box = t.closest('main');
    const what = t.innerText.slice(0, 60).replace(/\s+/g, ' ');
    return [heads.some(h => !h.innerText.trim()) && `an empty column header: ${what}`,
            rows.some(r => r.cells.length !== heads.length) && `a row without ${heads.length} cells: ${what}`,
            [...t.querySelectorAll('td, th')].some(c => prose(c).includes('`')) && `a split code span: ${what}`,
            t.getBoundingClientRect().right > box.getBoundingClientRect().right + 1 && `cut off on the right: ${what}`].filter(Boolean); }),
  // inline code turned inside out (escaped backticks): a backtick shown as text in prose
  backticks: [...document.querySelectorAll('main p, main li')].map(prose).filter(t => t.includes('`')).map(t => t.slice(0, 80)),
};
"""

@pytest.fixture(scope='module')
def visits(site, server, browser)->dict:
    "Each page opened in the browser: what it logged and what it shows"
    SHOTS.mkdir(exist_ok=True)
    base, out = f'http://127.0.0.1:{server.server_port}/', {}
    for p in sorted(site.glob('*.html')):
        browser.get(base + p.name)
        v = browser.execute_script(READ_PAGE)
        v['console'] = [e['message'] for e in browser.get_log('browser') if e['level'] == 'SEVERE']
        browser.save_screenshot(str(SHOTS/(p.stem + '.png')))
        out[p.name] = v
    return out

def test_every_chapter_has_a_page(visits):
    check(sorted(set(chapters()) - set(visits)), "chapters with no page")

def test_every_page_opens_without_console_errors(visits, server):
    check({p: v['console'] for p, v in visits.items() if v['console']}, "console errors")
    check(sorted({path for path, code in server.seen if code >= 400}), "requests the site could not answer")

def test_internal_links_resolve(visits, server):
    base, broken = f'http://127.0.0.1:{server.server_port}/', []
    for page, v in visits.items():
        for link in v['links']:
            if not link.startswith(base): continue
            url, frag = urldefrag(link)
            target = urlparse(url).path.lstrip('/') or 'index.html'
            try: urllib.request.urlopen(url).close()
            except urllib.error.HTTPError as e: broken.append(f"{page}: {link} ({e.code})"); continue
            if frag and target in visits and frag not in visits[target]['ids']: broken.append(f"{page}: {link} (no #{frag})")
    check(sorted(set(broken)), "broken internal links (a missing #name: document it; for a method defined in a class "
          "body, add a `show_doc(Class.method)` cell after the class)")

def test_sidebar_and_navbar_list_every_chapter_in_order(visits):
    want = chapters()
    for page, v in visits.items():
        assert [h.split('/')[-1] for h in v['sidebar']] == want, f"{page}: sidebar {v['sidebar']}, want {want}"
        assert 'claudette' in v['navbar'] and v['search'], f"{page}: navbar without the title or the search box"

def test_search_finds_toolloop(site, server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get(f'http://127.0.0.1:{server.server_port}/index.html')
    box = browser.find_element(By.CSS_SELECTOR, 'nav.navbar .smalldocs-search input')
    box.send_keys('toolloop')
    hits = WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, '.search-result'))
    hrefs = [h.get_attribute('href') for h in hits]
    assert any('chat.html' in h for h in hrefs), f"searching toolloop found {hrefs}"
    browser.save_screenshot(str(SHOTS/'search-toolloop.png'))
    low = browser.execute_script(CONTRAST)
    check(low, "search results too faint to read (WCAG AA asks for a contrast of 4.5)")

def test_search_works_from_disk(site, browser):
    "Opened as a file, as one opens `_docs/index.html`, the search still finds what it finds when served"
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get((site/'index.html').as_uri())
    browser.find_element(By.CSS_SELECTOR, 'nav.navbar .smalldocs-search input').send_keys('toolloop')
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, '.search-result, .search-none'))
    assert browser.find_elements(By.CSS_SELECTOR, '.search-result'), "searching the site opened from disk finds nothing"

# The contrast of each part of each search result with what is behind it (WCAG's formula), where under 4.5
CONTRAST = r"""
const rgb = c => c.match(/[\d.]+/g).map(Number);
const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
  if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
return [...document.querySelectorAll('.search-result *')].filter(el => el.innerText.trim()).flatMap(el => {
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el)), r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return r < 4.5 ? [`${el.className || el.tagName}: ${r.toFixed(1)} (${el.innerText.slice(0, 30)})`] : []; });
"""

def test_prose_shows_no_raw_markdown(visits):
    check({p: v['markdown'] for p, v in visits.items() if v['markdown']}, "Markdown shown as text")

def test_code_blocks_are_highlighted(visits):
    assert sum(v['code'] for v in visits.values()) > 0
    check({p: v['plain'] for p, v in visits.items() if v['plain']}, "code blocks shown without highlighting")

def test_no_raw_repr_where_a_rich_display_belongs(visits):
    raw = {p: [o[:120] for o in v['outputs'] if RAW_REPR.match(o)] for p, v in visits.items()}
    raw = {p: os + visits[p]['defaults'] for p, os in raw.items() if os or visits[p]['defaults']}
    check(raw, "outputs that show a plain repr instead of the rich display")

def test_signatures_name_types_as_readers_import_them(visits):
    check({p: v['qualified'] for p, v in visits.items() if v['qualified']}, "signatures with `__main__.` types")

def test_dataclass_fields_keep_their_docments(site):
    "A dataclass that a notebook defines shows its fields' docments on its page, as a function shows its parameters'"
    from fastcore.docments import docments
    from claudette.batch import BatchFailure
    page = (site/'batch.html').read_text()
    start = page.index('id="batchfailure"')
    shown = html.unescape(re.sub(r'<[^>]+>', '', page[start:page.index('</code></pre>', start)]))
    check([f for f, doc in docments(BatchFailure).items() if f != 'return' and f"# {doc}" not in shown], "BatchFailure's fields shown without their docments")

def test_readme_links_work_on_github_and_pypi(site):
    "README.md is also the package's page on PyPI: its links are absolute, and those into the docs name pages of the site"
    import tomllib
    readme = (root/'README.md').read_text()
    docs = tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Documentation'].rstrip('/') + '/'
    check(re.findall(r'\]\(((?![a-z][\w+.-]*:)[^)\s]+)\)', readme), "README.md links that only work on GitHub (relative)")
    pages = re.findall(r'\]\(' + re.escape(docs) + r'([^)\s#]*)', readme)
    check(sorted(set(chapters()[1:]) - set(pages)), "chapters README.md does not link")
    check(sorted({p for p in pages if not (site/(p or 'index.html')).exists()}), "README.md links to pages the site does not have")

def private(name:str)->bool:
    "Whether member `name` is private or a dunder other than `__call__` (how a reader calls an object)"
    last = name.split('.')[-1]
    return last.startswith('_') and last != '__call__'

def test_contents_list_only_public_members(visits):
    check({p: [t for t, member in v['toc'] if member and private(t)] for p, v in visits.items()
           if any(member and private(t) for t, member in v['toc'])}, "private or dunder members in the table of contents")

def test_contents_list_each_entry_once(visits):
    dups = {p: sorted({t for t, _ in v['toc'] if [x for x, _ in v['toc']].count(t) > 1}) for p, v in visits.items()}
    check({p: d for p, d in dups.items() if d}, "entries listed twice in a table of contents")

def test_plugin_internals_are_not_documented(visits):
    "The pytest plugin's hooks (`pytest_configure`...) are pytest's to call, not a reader's API"
    check({p: hooks for p, v in visits.items() if (hooks := [n for n, _, _ in v['members'] if n.startswith('pytest_')])},
          "pytest hooks documented as API")

def test_signatures_wrap_instead_of_scrolling(visits):
    "Every parameter's comment in a signature reads without scrolling sideways at 1280 px"
    check({p: cut for p, v in visits.items() if (cut := [n for n, _, clipped in v['members'] if clipped])},
          "signatures cut off on the right (a reader would scroll sideways)")

def documented(name:str):
    "The object that member `name` (`Chat.cost`) of claudette names, or None"
    import importlib
    from claudette._modidx import d
    for mod, syms in d['syms'].items():
        if f"{mod}.{name}" in syms:
            o = importlib.import_module(mod)
            for part in name.split('.'): o = inspect.getattr_static(o, part, None) if inspect.isclass(o) else getattr(o, part, None)
            return o
    return None

def test_properties_show_as_properties(visits):
    "A property's signature says so (`@property`), so that a reader knows not to call it"
    wrong = {p: [n for n, sig, _ in v['members'] if isinstance(documented(n), property) and not sig.startswith('@property')]
             for p, v in visits.items()}
    check({p: w for p, w in wrong.items() if w}, "properties shown as methods")
    assert any('@property' in sig for v in visits.values() for _, sig, _ in v['members']), "no property shown anywhere"

def test_tables_keep_their_shape(visits):
    check({p: v['tables'] for p, v in visits.items() if v['tables']}, "tables that lost their columns")
    check({p: v['backticks'] for p, v in visits.items() if v['backticks']}, "backticks shown as text (inline code broken)")
