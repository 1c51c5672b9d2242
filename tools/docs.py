"""Build the documentation site into `_docs/`, offline: nbdev's own processing, then the `smalldocs` renderer.

    python tools/docs.py             # build _docs/; exit 1 if a notebook fails to process, a cell mixes imports and code, or a link is broken
    python tools/docs.py --strict    # also exit 1 on any other warning
    python tools/docs.py --gaps      # list the public functions whose parameters have no docments comment

Step 1 is exactly what `nbdev-docs` does before it calls Quarto (nbs/nbdev.yml and nbs/sidebar.yml, the symbol
index, then `_proc/`: show_doc, directives, `#| hide`, doclinks). Step 2 renders `_proc/` with smalldocs, a pure
Python renderer of Quarto's `_quarto.yml` sites, because Quarto cannot be installed from the package registries.
Where Quarto exists, `nbdev-docs` builds the same site from the same files. The gaps of smalldocs are closed here:
it ignores `output-file` (nbdev names a chapter's page after its notebook without the number: `00_models.ipynb` is
`models.html`, where nbdev's doclinks point); Markdown reads the show_doc heading `Chat.__call__` as bold, so its
id would lose the underscores that doclinks use; and it warns about Quarto-only keys. The staged copy also gets
nbdev's doclinks made relative (they are URLs of the published site: relative, the local site is browsable and its
links are checked), no links to private names (which have no docs), and a theme that loads no web font.
While nbdev runs the show_doc cells, gaps of fastcore's docments are closed (`full_docments`): a dataclass that a
chapter defines (in `__main__`) shows its fields' comments, read from the package; a class whose parameters are on
`__new__` (`Cost`, a `float`) shows those, and one with neither of its own, none; a NamedTuple (`ToolUse`) shows its
fields' comments; and a `**kwargs` parameter its comment. The annotations of show_doc lose the `__main__.` before a
chapter's own classes.

For readers, on every page: a property shows as `@property` under its own name (`Chat.tools`, not its getter
`_get_tools`); the table of contents lists each public member once (private names, pytest's hooks and dunders without
a docstring of their own are left out; other dunders, and a class documented under a section of its own name, are
documented but unlisted; `__call__` stays listed); signatures wrap with a hanging indent instead of scrolling sideways;
a `|` in a table's code span (`T | None`) stays in its column; a code span with escaped backticks reads as written;
the search works when the site is opened from disk (`search-index.js`); the chapter table of the index is made from
the chapters (`<!-- chapters -->`, as tools/readme.py does for README.md).
"""
import ast, importlib, inspect, io, json, os, re, shutil, sys, tempfile, textwrap, time, tokenize, warnings
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import fastcore.docments as fd
from fastcore.basics import AttrDict
import yaml
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.quarto import _def_file_re, nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs
from smalldocs.config import load
from smalldocs.site import Site
from readme import CHAPTERS, chapter_table   # tools/readme.py, beside this file

root = Path(__file__).resolve().parent.parent
QUARTO_ONLY = {'format': ['commonmark'], 'format.html': ['keep-md'], 'website': ['twitter-card', 'open-graph'], '': ['format-links']}

# Bootswatch themes load their font from Google: the site loads nothing from elsewhere (it works offline, and tracks
# no reader), so the theme falls back to the system's sans-serif fonts.
WEB_FONT = re.compile(r'@import url\(["\']?https://fonts\.googleapis\.com/[^)]*\);?')

# Opened from disk (file://), a browser refuses to fetch `search.json`, so every search would find nothing; a script
# may still load, so the same index is also written as `search-index.js` and fetched through it there.
SEARCH_FROM_DISK = """<script>
if (location.protocol === 'file:') {
  const fetchOnline = window.fetch.bind(window);
  window.fetch = (url, ...rest) => !String(url).endsWith('search.json') ? fetchOnline(url, ...rest) :
    new Promise((ok, fail) => {
      const s = Object.assign(document.createElement('script'), {src: String(url).replace(/search[.]json$/, 'search-index.js')});
      s.onload = () => ok(new Response(JSON.stringify(window.SEARCH_INDEX)));
      s.onerror = fail;
      document.head.appendChild(s);
    });
}
</script>"""

class NbdevSite(Site):
    "A smalldocs site whose pages are named by their `output-file`, as Quarto names them"
    def warn(self, msg):
        if not msg.endswith('output-file is not read by smalldocs'): super().warn(msg)

    def read(self, src):
        page = super().read(src)
        if of := page.front.get('output-file'): page.out = PurePosixPath(src).parent/of
        return page

    def find_page(self, target):
        return super().find_page(target) or next((p for p in self.pages.values() if p.out == target), None)

def unlink_private(md:str)->str:
    "`md` without nbdev's doclinks to private names (`_typ`, `Message._repr_markdown_`), which have no docs to link to"
    return re.sub(r'\[(`[\w.]*?\b_(?!_)\w*`)\]\([^)\s]*#[^)\s]*\)', r'\1', md)

CODE_SPAN = re.compile(r'(`+)(.+?)(?<!`)\1(?!`)')

def escape_table_pipes(md:str)->str:
    "`md` with `|` escaped inside the code spans of its table rows (`T | None`), which would otherwise split a column"
    def row(l): return CODE_SPAN.sub(lambda m: m[1] + re.sub(r'(?<!\\)\|', r'\\|', m[2]) + m[1], l) if l.lstrip().startswith('|') else l
    return '\n'.join(row(l) for l in md.split('\n'))

def unescape_code_backticks(md:str)->str:
    "`md` with a code span that holds escaped backticks (`` `a \\`b\\`` ``) written as Markdown reads it (``` `` a `b` `` ```)"
    return re.sub(r'(?<!`)`((?:[^`\n\\]|\\.)*?\\`(?:[^`\n\\]|\\.)*?)`(?!`)', lambda m: f"`` {m[1].replace(chr(92)+'`', '`')} ``", md)

def escape_heading(o:dict):
    "Escape `_` in the headings of show_doc output `o`: Markdown reads `Chat.__call__` as bold, Quarto's ids keep them"
    md = o.get('data', {}).get('text/markdown')
    if md: o['data']['text/markdown'] = [re.sub(r'^(#+ .*)$', lambda m: m[1].replace('_', r'\_'), l) for l in md]

SHOWDOC_NAME = re.compile(r'^#+ (.+?)[ \t]*$', re.M)
PUBLIC_DUNDERS = {'__call__'}   # how a reader calls a `Chat`: listed in the table of contents like a method

def markdown_of(o:dict)->str:
    "The Markdown of output `o` ('' if it has none)"
    md = (o.get('data') or {}).get('text/markdown') or ''
    return md if isinstance(md, str) else ''.join(md)

def showdoc_name(o:dict)->str|None:
    "The name a show_doc output `o` documents (its heading), or None"
    m = SHOWDOC_NAME.search(markdown_of(o))
    return m[1] if m else None

def listing(name:str, headings:set, seen:set)->str:
    "How a show_doc of `name` appears: 'drop', 'unlisted' (documented, not in the table of contents) or 'listed'"
    last = name.split('.')[-1]
    dunder = last.startswith('__') and last.endswith('__')
    if name in seen or (last.startswith('_') and not dunder) or last.startswith('pytest_'): return 'drop'  # pytest's hooks are the plugin's internals
    if (dunder and last not in PUBLIC_DUNDERS) or name in headings: return 'unlisted'   # `## AsyncClient`, then its show_doc
    return 'listed'

def tidy_showdocs(nb:dict):
    "Notebook `nb`'s show_docs as a reader's table of contents needs them: public names, each once, dunders unlisted"
    headings = {re.sub(r'\[([^]]*)\]\([^)]*\)', r'\1', h).strip('` ')   # `## [`TextEditor`](...)`, as doclinks left it
                for c in nb['cells'] if c['cell_type'] == 'markdown' for h in SHOWDOC_NAME.findall(''.join(c['source']))}
    seen, cells = set(), []
    for c in nb['cells']:
        if c['cell_type'] == 'markdown': c['source'] = unescape_code_backticks(escape_table_pipes(''.join(c['source'])))
        if c['cell_type'] != 'code' or 'show_doc' not in ''.join(c['source']) or not c.get('outputs'): cells.append(c); continue
        outs = []
        for o in c['outputs']:
            if not (name := showdoc_name(o)):
                if markdown_of(o).strip() or 'text/markdown' not in (o.get('data') or {}): outs.append(o)   # an empty one: a dropped dunder
                continue
            how = listing(name, headings, seen)
            seen.add(name)
            if how == 'drop': continue
            if how == 'unlisted': o['data']['text/markdown'] = [SHOWDOC_NAME.sub(r'\g<0> {.unlisted}', markdown_of(o), count=1)]
            escape_heading(o); unmain(o); outs.append(o)
        if outs: c['outputs'] = outs; cells.append(c)
    nb['cells'] = cells

SIGNATURE = re.compile(r'(<h\d id="[^"]*" class="anchored[^"]*"[^>]*>.*?</h\d>\s*<div class="code-copy-outer-scaffold">'
                       r'<div class="sourceCode"[^>]*><pre class="sourceCode python[^"]*"><code class="sourceCode python)">(.*?)</code>', re.S)

def sig_line(l:str)->str:
    "Line `l` of a signature as a block that wraps under itself, indented past its own indent (a hanging indent)"
    return f'<span class="sig-line" style="--indent:{len(l) - len(l.lstrip(" "))}ch">{l}</span>'

def wrap_signatures(page:str)->str:
    "HTML `page` with each show_doc signature's lines wrapping, so that every parameter's comment reads without scrolling"
    def wrap(m):
        lines = m[2].split('\n')
        if any(l.count('<span') != l.count('</span>') for l in lines): return m[0]   # a token across lines: leave it
        return f'{m[1]} signature">' + ''.join(map(sig_line, lines)) + '</code>'
    return SIGNATURE.sub(wrap, page)

def takes_nothing(): "What a class with no `__init__` or `__new__` of its own takes"

def params_owner(o):
    "What declares the parameters of `o`: a class's Python `__new__` when its `__init__` is inherited (`Cost`, a `float`)"
    if not inspect.isclass(o) or inspect.isfunction(o.__init__) or hasattr(o, '_fields'): return o
    if inspect.isfunction(o.__new__): return o.__new__
    return takes_nothing if o.__init__ is object.__init__ and o.__new__ is object.__new__ else o

def exported_source(cls)->str:
    "The source of dataclass `cls`, from the package when nbdev defined it in `__main__` (running a chapter's cells)"
    if cls.__module__ != '__main__': return inspect.getsource(cls)
    from claudette._modidx import d
    mod = next((m for m, syms in d['syms'].items() if f'{m}.{cls.__qualname__}' in syms), None)
    return inspect.getsource(getattr(importlib.import_module(mod), cls.__qualname__)) if mod else ''

def unmain(o:dict):
    "Drop `__main__.` from show_doc output `o`: nbdev runs a chapter in `__main__`, the prefix of its classes in annotations"
    md = o.get('data', {}).get('text/markdown')
    if md: o['data']['text/markdown'] = [l.replace('__main__.', '') for l in md]

def namedtuple_docments(cls, full:bool=False, **kw)->dict:
    "fastcore's docments of NamedTuple `cls`: its fields' comments, which fastcore reads for dataclasses only"
    src = textwrap.dedent(exported_source(cls))
    tokens = tokenize.generate_tokens(io.StringIO(src).readline)
    notes = {t.start[0]: t.string[1:].strip() for t in tokens if t.type == tokenize.COMMENT}
    fields = {n.target.id: notes.get(n.lineno) for n in ast.parse(src).body[0].body if isinstance(n, ast.AnnAssign)}
    res = {k: AttrDict(docment=fields.get(k), anno=p.annotation, default=p.default, kind=p.kind)
           for k, p in inspect.signature(cls).parameters.items()}
    return AttrDict(res if full else {k: v.docment for k, v in res.items()})

@contextmanager
def full_docments():
    "fastcore's docments with its gaps closed: a `__main__` dataclass's source, a class's `__new__`, NamedTuple fields, `**kwargs`"
    docments, dataclass_source = fd.docments, fd.get_dataclass_source
    def owners_docments(s, *args, **kwargs):
        if inspect.isclass(s) and hasattr(s, '_fields'): return namedtuple_docments(s, *args, **kwargs)
        res = docments(o := params_owner(s), *args, **{'args_kwargs': True, **kwargs})   # a `**kwargs` comment shows too
        if o is not s: res.pop('cls', None)
        return res
    fd.docments, fd.get_dataclass_source = owners_docments, exported_source
    try: yield
    finally: fd.docments, fd.get_dataclass_source = docments, dataclass_source

def property_name(prop:property)->str:
    "`Class.name` of property `prop`, found in the class its getter names (`Chat.tools`, whose getter is `_get_tools`)"
    f = prop.fget or prop.fset
    owners = [f.__globals__.get(f.__qualname__.split('.')[0])] if '.' in f.__qualname__ else []
    owners += [a for a in list(inspect.get_annotations(f, eval_str=True).values())[:1] if inspect.isclass(a)]   # `self:Chat`
    for cls in filter(inspect.isclass, owners):
        for c in cls.__mro__:
            if (k := next((k for k, v in vars(c).items() if v is prop), None)): return f"{cls.__name__}.{k}"
    return f.__qualname__

@contextmanager
def readable_show_doc():
    "nbdev's show_doc with a property shown as one (`@property`, under its own name) and no dunder without a docstring of its own"
    from nbdev.showdoc import BasicMarkdownRenderer
    init, markdown = BasicMarkdownRenderer.__init__, BasicMarkdownRenderer._repr_markdown_
    def __init__(self, sym, name=None, *args, **kw):
        self.prop = sym if isinstance(sym, property) else None
        init(self, sym, name or (property_name(sym) if self.prop else None), *args, **kw)
    def _repr_markdown_(self):
        last = self.nm.split('.')[-1]
        if last.startswith('__') and getattr(self.sym, '__doc__', None) is None: return ''   # `__repr__`: "Return repr(self)."
        md = markdown(self)
        if not self.prop: return md
        note = '  # settable: assign to it' if self.prop.fset else ''
        return re.sub(r'```python\n(async )?def \w+', lambda m: f'```python\n@property{note}\n{m[1] or ""}def {last}', md, count=1)
    BasicMarkdownRenderer.__init__, BasicMarkdownRenderer._repr_markdown_ = __init__, _repr_markdown_
    try: yield
    finally: BasicMarkdownRenderer.__init__, BasicMarkdownRenderer._repr_markdown_ = init, markdown

def process(cfg)->Path:
    "nbdev's processing of the notebooks, as `nbdev-docs` runs it before Quarto: the folder of processed notebooks"
    refresh_quarto_yml()    # nbs/nbdev.yml from pyproject.toml: the committed file is its output, so this changes nothing
    _build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path, file_glob=None, file_re=_def_file_re)
    with warnings.catch_warnings(record=True) as ws:   # nbdev warns of each cell it runs because it mixes imports and code
        warnings.simplefilter('always')
        with full_docments(), readable_show_doc(): proc = proc_nbs(cfg.nbs_path, n_workers=0, file_glob=None, file_re=_def_file_re)
    mixed = [w for w in ws if 'imports and other code' in str(w.message)]
    if mixed:  # the house rule (imports in their own cells), so that building the docs runs no test code
        firsts = ['  ' + next(l for l in str(w.message).splitlines()[2:] if l.strip() and not l.startswith('#|')) for w in mixed]
        sys.exit(f"docs: {len(mixed)} cells mix imports and code, which nbdev would run to build the docs: "
                 "put their imports in a cell of their own. The cells begin:\n" + "\n".join(firsts))
    return proc

def stage(proc:Path, site_url:str, out:Path)->Path:
    "A copy of `proc` for smalldocs: doclinks relative, output into `out`, Quarto-only keys left out"
    d = Path(tempfile.mkdtemp(prefix='claudette-docs-'))
    shutil.copytree(proc, d, dirs_exist_ok=True)
    base = site_url.rstrip('/') + '/'
    for f in d.glob('*.ipynb'):
        nb = json.loads(unlink_private(f.read_text().replace(base, '')))
        tidy_showdocs(nb)
        for c in nb['cells']:   # the chapter table, from the chapters themselves (README.md gets the same)
            if c['cell_type'] == 'markdown': c['source'] = ''.join(c['source']).replace(CHAPTERS, chapter_table())
        f.write_text(json.dumps(nb))
    qy = yaml.safe_load((d/'_quarto.yml').read_text())
    qy.setdefault('project', {})['output-dir'] = str(out)
    for where, keys in QUARTO_ONLY.items():
        sect = qy
        for k in filter(None, where.split('.')): sect = sect.get(k, {})
        for k in keys: sect.pop(k, None)
    qy['format']['html'].setdefault('include-in-header', []).append({'text': SEARCH_FROM_DISK})
    (d/'_quarto.yml').write_text(yaml.safe_dump(qy, sort_keys=False))
    ny = yaml.safe_load((d/'nbdev.yml').read_text())
    ny.pop('format-links', None); ny.get('project', {}).pop('output-dir', None)   # the output goes to `out`
    (d/'nbdev.yml').write_text(yaml.safe_dump(ny, sort_keys=False))
    return d

def build(strict:bool=False)->int:
    "Build `_docs/`; the exit code"
    t0 = time.time()
    os.chdir(root)
    cfg = get_config()
    try: proc = process(cfg)
    except Exception as e:
        print(f"docs: nbdev could not process the notebooks:\n{e}", file=sys.stderr)
        return 1
    out = cfg.doc_path
    d = stage(proc, cfg.doc_host + cfg.doc_baseurl, out)
    try:
        site = NbdevSite(load(d), quiet=True)
        n = site.build()
    finally: shutil.rmtree(d, ignore_errors=True)
    for css in (out/'site_libs'/'themes').glob('*.css'): css.write_text(WEB_FONT.sub('', css.read_text()))
    for page in out.glob('*.html'): page.write_text(wrap_signatures(page.read_text()))
    (out/'search-index.js').write_text(f"window.SEARCH_INDEX = {(out/'search.json').read_text()};\n")
    broken = [w for w in site.warnings if 'broken link' in w]
    for w in site.warnings: print(f"docs: warning: {w}", file=sys.stderr)
    print(f"docs: {n} pages in {out.relative_to(root)}/ in {time.time()-t0:.1f}s, {len(site.warnings)} warnings")
    print(f"docs: open {out.relative_to(root)}/index.html (search works from disk too), or serve it: python -m http.server -d {out.relative_to(root)}")
    return 1 if broken or (strict and site.warnings) else 0

def docments_gaps()->list:
    "(name, parameters) of each public callable in nbdev's symbol index with parameters that have no docments comment"
    from claudette._modidx import d
    out = []
    for mod, syms in d['syms'].items():
        m = importlib.import_module(mod)
        for key in syms:
            sym, o = key[len(mod)+1:], m
            if any(p.startswith('_') and p != '__call__' for p in sym.split('.')) or ('.' not in sym and sym not in m.__all__): continue
            try:
                for part in sym.split('.'): o = getattr(o, part)
            except AttributeError: continue
            o = o.fget if isinstance(o, property) else getattr(o, 'func', o)
            if inspect.isclass(o) and issubclass(o, BaseException): continue
            if inspect.isclass(o) and not any(inspect.isfunction(getattr(o, m)) for m in ('__init__', '__new__')): continue  # a builtin's own (`list`'s)
            o = params_owner(o)
            try: params = inspect.signature(o).parameters
            except (TypeError, ValueError): continue
            ds = (namedtuple_docments if inspect.isclass(o) and hasattr(o, '_fields') else fd.docments)(o, full=True, args_kwargs=True)
            miss = [k for k in params if k not in ('self', 'cls') and not ds.get(k, {}).get('docment')]   # `*args`, `**kw` too
            if miss: out.append((key, miss))
    return out

if __name__ == '__main__':
    if '--gaps' in sys.argv[1:]:
        for name, miss in (gaps := docments_gaps()): print(f"{name}: {', '.join(miss)}")
        print(f"docs: {len(gaps)} public callables have parameters without a docments comment")
        sys.exit(1 if gaps else 0)
    sys.exit(build('--strict' in sys.argv[1:]))
