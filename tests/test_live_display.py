"""Live display in a real kernel, and what a browser makes of it.

Builds a notebook, runs it in a real IPython kernel with nbclient (against claudette's local server, offline), and
records every display message of each cell: a streamed turn and a streamed tool loop, sync and async, must each be
one `display_data` followed by `update_display_data` messages of the same display id, the last one being the final
output. Replies carry hostile HTML and Markdown. The executed notebook is then rendered to HTML with nbconvert and
opened in Debian's headless `chromium` through its `chromedriver` (no browser is downloaded): no script from a reply
may run, and no raw Python repr may show. A screenshot goes to `_screenshots/` (git-ignored).
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

SETUP = f'''
import asyncio
from claudette import Chat, AsyncChat, live_settings
from claudette.modelinfo import models
from claudette.testing import offline_session, reply, tool_use_block, thinking_block, usage_json
srv = offline_session()
srv.event_delay = 0.02
live_settings.interval = 0.1
model = models[1]
HOSTILE = {HOSTILE!r}
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
    client = RecordingClient(nb, timeout=120, kernel_name='python3', resources={'metadata': {'path': str(root)}})
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits it
    try: client.execute()
    finally: os.environ.clear(); os.environ.update(old)
    return nb, {name: client.seen[i + 1] for i, (name, _) in enumerate(LIVE)}

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
