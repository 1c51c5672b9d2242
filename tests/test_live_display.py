"""Live display in a real kernel, and what a browser makes of it.

Builds a notebook, runs it in a real IPython kernel with nbclient (against claudette's local server, offline), and
records every display message of each cell: a streamed turn and a streamed tool loop, sync and async, must each be
one `display_data` followed by `update_display_data` messages of the same display id, the last one being the final
output. Replies carry hostile HTML and Markdown. The executed notebook is then rendered to HTML with nbconvert and
opened in Debian's headless `chromium` through its `chromedriver` (no browser is downloaded): no script from a reply
may run, and no raw Python repr may show. A screenshot goes to `_screenshots/` (git-ignored).

The display details are checked in the same two places: line breaks, TeX kept for MathJax (typeset by it when Debian's
`libjs-mathjax` is installed), coloured code and monospace `<pre>`s with a margin, an image below its title, a stream
cut mid-way that keeps its text and shows its error in one line, a chat's model, tools and system prompt, an empty chat
in one line, and one number format.
"""
import os
from collections import defaultdict
from pathlib import Path

import pytest

nbformat = pytest.importorskip('nbformat')
nbclient = pytest.importorskip('nbclient')
from test_site import SHOTS, browser  # noqa: F401 (a fixture): the one Chromium set-up of the browser tests
root = Path(__file__).resolve().parent.parent
# Each payload marks the page if it runs: the test looks for the marks in the browser
HOSTILE = ('Hello <img src=x onerror="document.body.dataset.pwnedImg=1"> <script>document.body.dataset.pwnedScript=1</script> '
           '<details><summary>hidden</summary> [click](javascript:document.body.dataset.pwnedLink=1) costs $5 and $10 `a$b`')
# Markdown the display must render right: line breaks, code, TeX, prices
RICH = ('Roses are red,\nviolets are blue.\n\n```python\ndef area(r): return 3.14 * r ** 2  # <b>\n```\n\n'
        'Sets $\\{x\\}$, products $a*b*c$ and \\(a^2\\); it costs $5 and $10. $\\href{javascript:document.body.dataset.pwnedTex=1}{x}$')
MATH = ['$\\{x\\}$', '$a*b*c$', '\\(a^2\\)']

SETUP = f'''
import asyncio
from claudette import Chat, AsyncChat, live_settings
from claudette.modelinfo import models
from claudette.messages import HtmlMsg, mk_msg
from claudette.testing import Drop, offline_session, reply, tool_use_block, thinking_block, usage_json
from PIL import Image
import io
srv = offline_session()
srv.event_delay = 0.01
live_settings.interval = 0.1
model = models[1]
HOSTILE, RICH = {HOSTILE!r}, {RICH!r}
buf = io.BytesIO(); Image.new("RGB", (120, 60), "teal").save(buf, format="PNG"); png = buf.getvalue()
def order_status(order_id:str)->str:
    "The status of an order."
    return {{"O1": "shipped </pre><img src=x onerror=document.body.dataset.pwnedResult=1>", "O2": "processing"}}.get(order_id, "unknown")
def turn(): return reply(thinking_block("Let me think about orders. " * 4), HOSTILE + " " + "and more words " * 30,
                         tool_use_block("order_status", {{"order_id": "O1"}}), usage=usage_json(300, 80))
def loop(): return [reply("Checking O1 and O2. " * 10, tool_use_block("order_status", {{"order_id": "O1"}}),
                          tool_use_block("order_status", {{"order_id": "O2"}}), usage=usage_json(400, 60)),
                    reply(HOSTILE + " Done: " + "O1 shipped, O2 processing. " * 10, usage=usage_json(500, 90))]
'''
# (name, source) of the cells whose display messages are checked; each async one is followed by a cell that waits
LIVE = [
    ('sync turn', 'srv.script(turn())\nchat = Chat(model, tools=[order_status])\nchat("How is O1?", stream=True)'),
    ('sync loop', 'srv.script(*loop())\nChat(model, tools=[order_status]).toolloop("How are O1 and O2?", stream=True)'),
    ('async turn', 'srv.script(turn())\nrs = await AsyncChat(model, tools=[order_status])("How is O1?", stream=True)\nrs'),
    ('async turn wait', 'await rs.watched'),
    ('async loop', 'srv.script(*loop())\nrun = AsyncChat(model, tools=[order_status]).toolloop("How are O1 and O2?", stream=True)\nrun'),
    ('async loop wait', 'await run.watched'),
    ('chat', 'chat'),
    ('rich', 'srv.script(reply(RICH, tool_use_block("order_status", {"order_id": "O1"}), usage=usage_json(12167, 80)))\n'
             'rc = Chat(model, tools=[order_status])\nrc("Write", stream=True)'),
    ('rich chat', 'rc'),
    ('image', 'HtmlMsg(mk_msg(["A chart:", png]))'),
    ('cut', 'srv.script(Drop(14, reply(RICH * 3, usage=usage_json(70, 300))))\nChat(model)("A poem", stream=True)'),
    ('empty chat', 'Chat(model, sp="Be brief.", tools=[order_status])'),
    ('async cut', 'srv.script(Drop(14, reply(RICH * 3, usage=usage_json(70, 300))))\nacut = await AsyncChat(model)("A poem", stream=True)\nacut'),
    ('async cut wait', 'await acut.watched'),
]

class RecordingClient(nbclient.NotebookClient):
    "A `NotebookClient` that keeps the display messages each cell receives"
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.seen = defaultdict(list)
    def process_message(self, msg, cell, cell_index):
        t = msg['msg_type']
        if t in ('display_data', 'update_display_data', 'execute_result'):
            c = msg['content']
            self.seen[cell_index].append((t, c.get('transient', {}).get('display_id'), c['data'].get('text/html', '')))
        return super().process_message(msg, cell, cell_index)

@pytest.fixture(scope='module')
def executed():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP)] + [nbformat.v4.new_code_cell(src) for _, src in LIVE]
    env = {**os.environ, 'CLAUDETTE_OFFLINE': '1', 'PYTHONPATH': str(root)}
    client = RecordingClient(nb, timeout=120, kernel_name='python3', allow_errors=True, resources={'metadata': {'path': str(root)}})
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits it
    try: client.execute()
    finally: os.environ.clear(); os.environ.update(old)
    for c, (name, _) in zip(nb.cells[1:], LIVE):   # only the cut streams may show an error
        assert name in ('cut', 'async cut wait') or not [o for o in c.outputs if o.output_type == 'error'], (name, c.outputs)
    return nb, {name: client.seen[i + 1] for i, (name, _) in enumerate(LIVE)}

def outputs(nb, name):
    "The stored outputs of cell `name`"
    return nb.cells[1 + [n for n, _ in LIVE].index(name)].outputs

def live_messages(seen, name):
    "The display id and the HTML of each display message of cell `name` and, for an async cell, of the cell that waits"
    msgs = seen[name] + seen.get(name + ' wait', [])
    ids = {d for _, d, _ in msgs}
    assert len(ids) == 1 and None not in ids, f"{name}: one display id expected, got {ids}"
    return msgs

@pytest.mark.parametrize('name', ['sync turn', 'sync loop', 'async turn', 'async loop'])
def test_one_output_grows_in_place(executed, name):
    msgs = live_messages(executed[1], name)
    kinds = [t for t, _, _ in msgs]
    assert kinds[0] == 'display_data' and set(kinds[1:]) == {'update_display_data'}, kinds
    assert 3 <= len(kinds) <= 60, f"{name}: {len(kinds)} messages (throttled to 10 a second)"
    final, before = msgs[-1][2], [h for _, _, h in msgs[:-1]]
    assert '<summary>Details</summary>' in final and 'Thinking…' not in final   # the complete reply, with its fields
    assert any('and more words' in h or 'Checking O1' in h for h in before), "no text was shown while it was written"
    if 'loop' in name:
        assert final.count('<summary>Details</summary>') == 2 and final.count('<b>Tool result</b>') == 2
        assert '<strong>Total</strong>' in final
    else: assert final.count('<b>Tool result</b>') == 1 and any('<b>Thinking…</b>' in h for h in before)

def test_hostile_replies_are_text(executed):
    final = live_messages(executed[1], 'sync turn')[-1][2]
    for bad in ('<img src=x', '<script', '<details><summary>hidden', 'href="javascript'): assert bad not in final, bad
    assert '&lt;img src=x onerror=' in final and 'costs $5 and $10' in final and '<code>a$b</code>' in final

def test_in_a_browser(executed, browser, tmp_path):
    from nbconvert import HTMLExporter
    page = tmp_path/'live.html'
    page.write_text(HTMLExporter(exclude_input=True).from_notebook_node(executed[0])[0])
    browser.get(page.as_uri())
    marks = browser.execute_script("return Object.keys(document.body.dataset).filter(k => k.startsWith('pwned'))")
    assert marks == [], f"scripts from replies ran: {marks}"
    text = browser.execute_script("return document.body.innerText")
    for raw in ("Message(", "{'type':", "object at 0x", "(Claude is writing"): assert raw not in text, raw
    assert text.count('Details') >= 6 and 'costs $5 and $10' in text
    SHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SHOTS/'live_display.png'))

def test_no_frame_says_no_content(executed):
    for name, msgs in executed[1].items():
        for _, _, h in msgs: assert '(no content)' not in h, name   # not even the first frame, before any text

def test_cut_stream_keeps_its_text(executed):
    nb, seen = executed
    final = live_messages(seen, 'cut')[-1][2]
    assert 0 < final.index('Roses are red') < final.index('⚠️ the reply ended early: APIConnectionError')
    outs = outputs(nb, 'cut')
    assert [o.output_type for o in outs] == ['display_data', 'error'], outs   # no raw repr of the stream after the error
    assert outs[0].data['text/plain'].startswith('Roses are red,\nviolets are blue.')   # what is saved, for text front ends
    assert '> ⚠️ the reply ended early: APIConnectionError' in outs[0].data['text/plain']
    assert outs[1].ename == 'APIConnectionError' and len(outs[1].traceback) <= 3, outs[1].traceback   # one line, no frames
    assert 0 < live_messages(seen, 'async cut')[-1][2].index('Roses are red') < live_messages(seen, 'async cut')[-1][2].index('⚠️')
    [err] = outputs(nb, 'async cut wait')   # awaiting it raises the error: the cell's frame and claudette's, no chain
    tb = '\n'.join(err.traceback)
    assert err.ename == 'APIConnectionError' and tb.count('File ') <= 2 and 'direct cause' not in tb and 'During handling' not in tb, tb

def test_chat_shows_what_it_is(executed):
    seen = executed[1]
    empty = seen['empty chat'][-1][2]
    assert '<b>Model</b> <code>claude-' in empty and '<b>Tools</b> <code>order_status</code>' in empty
    assert '<b>System prompt</b> Be brief.' in empty and '<p><i>No messages yet</i></p>' in empty
    assert '<table>' not in empty and 'History' not in empty   # no empty fold, no table of zeros
    rich = seen['rich chat'][-1][2]
    assert '<b>Tools</b> <code>order_status</code>' in rich and 'History (3 messages)' in rich
    assert '12,167' in rich and '12167' not in rich   # one number format, in the table and in the reply's usage line

MATHJAX = Path('/usr/share/javascript/mathjax/MathJax.js')  # Debian's libjs-mathjax, if installed: MathJax 2, as nbconvert uses
READ_DETAILS = """
const cell = name => document.getElementById('cell-id=' + arguments[0][name]);
const rich = cell('rich'), img = cell('image'), cut = cell('cut');
const look = el => getComputedStyle(el).color;
const code = rich.querySelector('pre code.language-python'), pre = code.closest('pre');
const result = rich.querySelector('details.claudette-block pre');   // the tool result, folded
const title = [...img.querySelectorAll('b')].find(b => b.textContent === 'Image'), image = img.querySelector('img');
const poem = [...rich.querySelectorAll('p')].find(p => p.textContent.startsWith('Roses are red'));
return {
  poem: poem.innerText, breaks: poem.querySelectorAll('br').length,
  math: [...rich.querySelectorAll('.mathjax_process')].map(e => e.textContent),
  typeset: [...rich.querySelectorAll('.mathjax_process script[type^="math/tex"]')].map(e => e.textContent),
  typesetElsewhere: [...document.querySelectorAll('script[type^="math/tex"]')].filter(e => !e.closest('.mathjax_process')).length,
  coloured: [...code.querySelectorAll('span')].filter(s => look(s) !== look(code)).length,
  preFont: getComputedStyle(pre).fontFamily, preMargin: parseFloat(getComputedStyle(pre).marginTop),
  resultFont: getComputedStyle(result).fontFamily,
  imageBelow: image.getBoundingClientRect().top - title.getBoundingClientRect().bottom,
  richText: rich.innerText, cutText: cut.innerText,
  jsLinks: document.querySelectorAll('a[href^="javascript"], [href^="javascript"]').length,
};
"""

def test_details_in_a_browser(executed, browser, tmp_path):
    from nbconvert import HTMLExporter
    nb = executed[0]
    ex = HTMLExporter(exclude_input=True)
    if MATHJAX.exists(): ex.mathjax_url = MATHJAX.as_uri() + '?config=TeX-AMS_CHTML'
    page = tmp_path/'details.html'
    page.write_text(ex.from_notebook_node(nb)[0])
    browser.get(page.as_uri())
    if MATHJAX.exists():   # wait until MathJax has typeset the page
        browser.execute_async_script("const done = arguments[0]; MathJax.Hub.Queue(() => done())")
    ids = {name: c.id for c, (name, _) in zip(nb.cells[1:], LIVE)}
    d = browser.execute_script(READ_DETAILS, ids)
    assert d['poem'].startswith('Roses are red,\nviolets are blue.') and d['breaks'] == 1, d['poem']   # a line break, kept
    if MATHJAX.exists():   # MathJax typesets exactly the formulas, and the prices stay text
        assert d['typeset'] == [m.strip('$').removeprefix('\\(').removesuffix('\\)') for m in MATH], d['typeset']
        assert d['typesetElsewhere'] == 0, d['typesetElsewhere']   # nothing else: no price, no hostile text
    else: assert d['math'] == MATH, d['math']   # the TeX as Claude wrote it, for MathJax
    assert 'it costs $5 and $10.' in d['richText'] and 'products a*b*c' not in d['richText']
    assert d['jsLinks'] == 0 and '\\href{javascript:' in d['richText']   # TeX that would make a link stays text
    assert d['coloured'] >= 3 and 'monospace' in d['preFont'] and d['preMargin'] > 0, d   # code: coloured, monospace, a margin
    assert 'monospace' in d['resultFont'], d['resultFont']   # a tool result too
    assert d['imageBelow'] >= 0, d['imageBelow']   # the image under its title, not beside it
    assert 'Roses are red' in d['cutText'] and 'the reply ended early' in d['cutText']
    SHOTS.mkdir(exist_ok=True)
    for name in ('rich', 'rich chat', 'image', 'cut', 'empty chat'):
        browser.find_element('id', 'cell-id=' + ids[name]).screenshot(str(SHOTS/f'live_display_{name.replace(" ", "_")}.png'))

def test_code_takes_the_theme_colours(executed, browser, tmp_path):
    "Code is coloured with JupyterLab's editor colours: in the dark theme, its own"
    from nbconvert import HTMLExporter
    first_span = "return getComputedStyle(document.querySelector('pre code.language-python span')).color"
    seen = {}
    for theme in ('light', 'dark'):
        page = tmp_path/f'{theme}.html'
        page.write_text(HTMLExporter(exclude_input=True, theme=theme).from_notebook_node(executed[0])[0])
        browser.get(page.as_uri())
        seen[theme] = browser.execute_script(first_span)
    assert seen['light'] != seen['dark'], seen
