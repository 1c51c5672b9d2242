"""Write README.md from nbs/index.ipynb without Quarto (which cannot be installed offline).

    python tools/readme.py          # write README.md
    python tools/readme.py --check  # exit 1 if README.md is not what index.ipynb gives
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def _directives(src):
    return {m.group(1): m.group(2).strip() for m in re.finditer(r'^#\|\s*([\w-]+):?\s*(.*)$', src, re.M)}

def _output(o):
    data = o.get('data', {})
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip() + '\n'
    text = ''.join(data.get('text/plain', [])) if data else ''.join(o.get('text', []))
    return f"```\n{text.rstrip()}\n```\n" if text.strip() else ''

def github_links(md:str)->str:
    "`md` with links to chapters (`00_models.ipynb`, as the site resolves them) pointing into `nbs/`, as GitHub needs"
    return re.sub(r'\]\((?![a-z][\w+.-]*:|/|#)([^)\s]+\.ipynb(?:#[^)\s]*)?)\)', r'](nbs/\1)', md)

def render(nb):
    "Markdown (GitHub flavour) for the notebook `nb`"
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(github_links(src.strip()) + '\n'); continue
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
