"""Write README.md from nbs/index.ipynb without Quarto (which cannot be installed offline).

    python tools/readme.py          # write README.md
    python tools/readme.py --check  # exit 1 if README.md is not what index.ipynb gives

README.md is also the package's page on PyPI, where no relative link works: a link to a chapter (`05_chat.ipynb`,
as the site resolves it) becomes the absolute URL of its page on the docs site (`Documentation` in pyproject.toml).
The line `<!-- chapters -->` in the index becomes the table of every chapter, from each notebook's title and
purpose line, here and on the site (tools/docs.py), so that a new chapter is listed by itself.
"""
import json, re, sys, tomllib
from pathlib import Path

root = Path(__file__).resolve().parent.parent
CHAPTERS = '<!-- chapters -->'

def page_name(nb:str)->str:
    "The page nbdev makes of notebook `nb`: its name without the number prefix (`00_models.ipynb` is `models.html`)"
    return re.sub(r'^\d+[a-z]?_', '', Path(nb).stem) + '.html'

def chapters()->list:
    "(notebook, title, purpose) of every chapter, in file-name order (the sidebar's)"
    out = []
    for p in sorted((root/'nbs').glob('*.ipynb')):
        if p.name.startswith(('_', '.')) or p.stem == 'index': continue
        md = '\n'.join(''.join(c['source']) for c in json.loads(p.read_text())['cells'] if c['cell_type'] == 'markdown')
        title, purpose = re.search(r'^# (.+)$', md, re.M), re.search(r'^> (.+)$', md, re.M)
        out.append((p.name, title[1] if title else p.stem, purpose[1] if purpose else ''))
    return out

def chapter_table()->str:
    "The Markdown table of every chapter, each linked by its notebook"
    return "| chapter | what it covers |\n|---|---|\n" + '\n'.join(f"| [{t}]({nb}) | {p} |" for nb, t, p in chapters())

def docs_url()->str:
    "The docs site's address, from pyproject.toml"
    return tomllib.loads((root/'pyproject.toml').read_text())['project']['urls']['Documentation'].rstrip('/') + '/'

def _directives(src):
    return {m.group(1): m.group(2).strip() for m in re.finditer(r'^#\|\s*([\w-]+):?\s*(.*)$', src, re.M)}

def _output(o):
    data = o.get('data', {})
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip() + '\n'
    text = ''.join(data.get('text/plain', [])) if data else ''.join(o.get('text', []))
    return f"```\n{text.rstrip()}\n```\n" if text.strip() else ''

def absolute_links(md:str)->str:
    "`md` with links to chapters (`00_models.ipynb#x`, as the site resolves them) as URLs of the docs site, for GitHub and PyPI"
    return re.sub(r'\]\((?![a-z][\w+.-]*:|/|#)([^)\s#]+\.ipynb)(#[^)\s]*)?\)', lambda m: f"]({docs_url()}{page_name(m[1])}{m[2] or ''})", md)

def render(nb):
    "Markdown (GitHub flavour) for the notebook `nb`"
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(absolute_links(src.strip().replace(CHAPTERS, chapter_table())) + '\n'); continue
        d = _directives(src)
        if 'hide' in d or 'default_exp' in d: continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if d.get('echo') != 'false' and code: out.append(f"```python\n{code}\n```\n")
        if d.get('output') != 'false': out += [r for o in c.get('outputs', []) if (r := _output(o))]
    return '\n'.join(out)

def main(args):
    nb = json.loads((root/'nbs'/'index.ipynb').read_text())
    md = "<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->\n\n" + render(nb)
    readme = root/'README.md'
    if '--check' in args:
        if not readme.exists() or readme.read_text() != md: sys.exit("README.md is out of date: run python tools/readme.py")
        return
    readme.write_text(md)

if __name__ == '__main__': main(sys.argv[1:])
