"""Convert notebooks to and from a plain-text cell format, for editing notebooks in a text editor.

    python tools/nbtext.py to-text nbs/01_testing.ipynb > scratch.txt
    python tools/nbtext.py to-nb scratch.txt nbs/01_testing.ipynb

A cell starts with a line `#%% md` or `#%% code`; everything up to the next such line is its source.
`to-nb` keeps the stored outputs of code cells whose source did not change, so editing one cell does not
throw away the outputs (the docs) of the others; run `nbdev-test --save` then `nbdev-clean` to refresh them.
"""
import json, sys, uuid
from pathlib import Path

def to_text(nb_path):
    "The cells of the notebook at `nb_path` as text"
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb['cells']:
        kind = 'md' if c['cell_type'] == 'markdown' else 'code'
        parts.append(f"#%% {kind}\n" + ''.join(c['source']).rstrip('\n') + '\n')
    return ''.join(parts)

def _cells(text):
    cells, cur = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith('#%% '):
            cur = dict(kind=line[4:].strip(), lines=[])
            cells.append(cur)
        elif cur is not None: cur['lines'].append(line)
    return [(c['kind'], ''.join(c['lines']).strip('\n')) for c in cells]

def _ids(old_cells, new_cells):
    "An id for each new (kind, source) cell: the id of an unchanged old cell, else of the edited cell in its place, else a new one"
    kind_of = lambda c: 'md' if c['cell_type'] == 'markdown' else 'code'
    by_src = {(kind_of(c), ''.join(c['source'])): c for c in old_cells}
    ids = [by_src[k]['id'] if k in by_src else None for k in new_cells]
    taken = {i for i in ids if i}
    for n, (kind, _) in enumerate(new_cells):  # an edited cell keeps the id of the old cell at its place: smaller diffs and merges
        if ids[n] is None and n < len(old_cells) and kind_of(old_cells[n]) == kind and old_cells[n]['id'] not in taken:
            ids[n] = old_cells[n]['id']; taken.add(ids[n])
    return [i or uuid.uuid4().hex[:8] for i in ids]

def to_nb(text_path, nb_path):
    "Write the cells in `text_path` to the notebook `nb_path`, keeping the ids of cells and the outputs of unchanged code cells"
    nb_path = Path(nb_path)
    old = json.loads(nb_path.read_text()) if nb_path.exists() else None
    prev = {''.join(c['source']): c for c in old['cells'] if c['cell_type'] == 'code'} if old else {}
    new = _cells(Path(text_path).read_text())
    cells = []
    for (kind, src), cid in zip(new, _ids(old['cells'] if old else [], new)):
        lines = src.splitlines(keepends=True)
        if kind == 'md': cells.append(dict(cell_type='markdown', id=cid, metadata={}, source=lines))
        else:
            p = prev.get(src)
            cells.append(dict(cell_type='code', id=cid, metadata={}, execution_count=None, outputs=p['outputs'] if p else [], source=lines))
    meta = old['metadata'] if old else {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}
    nb = dict(cells=cells, metadata=meta, nbformat=4, nbformat_minor=5)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    if cmd == 'to-text': sys.stdout.write(to_text(*args))
    elif cmd == 'to-nb': to_nb(*args)
    else: sys.exit(f"unknown command {cmd!r}: use to-text or to-nb")
