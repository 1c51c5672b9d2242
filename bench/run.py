"""claudette's speed benchmarks, run on demand: `python bench/run.py`.

Everything runs against claudette's local server (`LocalClaude`, in its own process so that it does not compete with the
code measured for the GIL), and every figure is a ratio against a baseline measured in the same run: the raw `anthropic`
SDK client making the same requests to the same server, turn by turn, alternating. Targets (from the project's issues):
per-turn overhead <= 1.05x the raw SDK at 10, 100 and 1,000-message histories; 8 tools x 0.5 s in one turn <= 0.7 s
wall (sync and async); 200 concurrent AsyncChat turns >= 0.9x the raw AsyncAnthropic throughput; a new chat's first turn,
made with `Chat(model, hist=...)` alone (no SDK client given), <= 1.1x the raw SDK sending the same messages; a turn
with the SQLite call log on (`claudette.log`, each call committed before it returns) against the same turn with it off, at a
100-message history, with the server answering at once (<= 1.10x: the promise costs some 0.3 ms of serializing and
committing per call, in the caller's thread) and after 50 ms, a realistic latency (<= 1.02x).
A control row times the raw SDK against itself the same way: it reads 1.00 on a quiet machine, and how far it strays is
the noise floor of that run (on a loaded one, ratios mean little).
"""
import asyncio, multiprocessing as mp, os, statistics, sys, tempfile, time
from pathlib import Path
from anthropic import Anthropic, AsyncAnthropic
from claudette.testing import Delay, LocalClaude, reply, tool_use_block, usage_json
from claudette.chat import Chat
from claudette.asink import AsyncChat, AsyncClient
from claudette.core import Client

MODEL = "claude-sonnet-5-5"

def respond(req):
    "Echo a short reply; a prompt 'tools:NAME' gets 8 calls of tool NAME, and a prompt 'wait:MS ...' its reply after MS milliseconds"
    last = req.body["messages"][-1]["content"]
    if isinstance(last, str) and last.startswith("tools:"):
        return reply(*[tool_use_block(last[6:], {"i": i}) for i in range(8)])
    if isinstance(last, str) and last.startswith("wait:"):
        return Delay(int(last[5:].split()[0]) / 1000, reply("ok", usage=usage_json(10, 2)))
    return reply("ok", usage=usage_json(10, 2))

def _serve(conn):
    with LocalClaude(responder=respond) as srv:
        conn.send(srv.base_url)
        conn.recv()

def history(n):
    "A conversation of `n` messages (alternating, starting with user, ending with assistant)"
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " + "lorem ipsum " * 20} for i in range(n)]

def _timed(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

def turn_overhead(url, blocks=20, turns=10):
    "Median seconds per turn of a Chat and of the raw SDK, alternating turn by turn, for each history length"
    rows = []
    raw = Anthropic(base_url=url, api_key="sk-bench", max_retries=0)
    for n in (10, 100, 1000):
        chat, h = Chat(cli=Client(MODEL, cli=Anthropic(base_url=url, api_key="sk-bench", max_retries=0))), []
        def chat_turn(): chat("next question")
        def raw_turn():  # what a program using the SDK directly does: keep the conversation in a list
            h.append({"role": "user", "content": "next question"})
            r = raw.messages.create(model=MODEL, max_tokens=4096, messages=h)
            h.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in r.content]})
        c, r = [], []
        for _ in range(blocks):  # each block starts again from n messages
            chat.h, h[:] = history(n), history(n)
            chat_turn(); raw_turn()  # not timed: the chat checks a history it did not make once
            for i in range(turns): _abba(i, chat_turn, raw_turn, c, r)
        rows.append((f"turn, {n:>4}-message history", statistics.median(c), statistics.median(r)))
    return rows

def _abba(i, f, g, fs, gs):
    "Time `f` into `fs` and `g` into `gs`, `f` first on even `i`: whichever runs second after the other pays a little more"
    if i % 2: gs.append(_timed(g)); fs.append(_timed(f))
    else: fs.append(_timed(f)); gs.append(_timed(g))

def control(url, n=10, blocks=20, turns=10):
    "The noise floor: the raw SDK against itself (two clients, same turns), measured like `turn_overhead`"
    clients, hs = [Anthropic(base_url=url, api_key="sk-bench", max_retries=0) for _ in range(2)], [[], []]
    def turn(k):
        hs[k].append({"role": "user", "content": "next question"})
        r = clients[k].messages.create(model=MODEL, max_tokens=4096, messages=hs[k])
        hs[k].append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in r.content]})
    a, b = [], []
    for _ in range(blocks):
        hs[0][:], hs[1][:] = history(n), history(n)
        for i in range(turns): _abba(i, lambda: turn(0), lambda: turn(1), a, b)
    return statistics.median(a), statistics.median(b)

def first_turn(url, n=10, turns=200):
    "Median seconds of a new chat's first turn, made with `Chat(MODEL, hist=...)` alone, and of the raw SDK sending the same messages"
    os.environ.update(ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY="sk-bench")  # what a deployed app configures
    raw, hist, q = Anthropic(), history(n), {"role": "user", "content": "next question"}
    def chat_turn(): Chat(MODEL, hist=hist)("next question")
    def raw_turn(): raw.messages.create(model=MODEL, max_tokens=4096, messages=hist + [q])
    chat_turn(); raw_turn()
    c, r = [], []
    for i in range(turns): _abba(i, chat_turn, raw_turn, c, r)
    return statistics.median(c), statistics.median(r)

def slow(i:int)->int:
    "Sleeps half a second"
    time.sleep(0.5); return i

async def aslow(i:int)->int:
    "Sleeps half a second, asynchronously"
    await asyncio.sleep(0.5); return i

def eight_tools(url):
    chat = Chat(cli=Client(MODEL, cli=Anthropic(base_url=url, api_key="sk-bench", max_retries=0)), tools=[slow])
    return _timed(lambda: chat("tools:slow"))

async def eight_async_tools(url):
    chat = AsyncChat(cli=AsyncClient(MODEL, cli=AsyncAnthropic(base_url=url, api_key="sk-bench", max_retries=0)), tools=[aslow])
    t0 = time.perf_counter(); await chat("tools:aslow"); return time.perf_counter() - t0

async def concurrent_turns(url, n=200, rounds=16):
    """Best seconds for `n` concurrent single-turn chats on one AsyncClient, and for the raw AsyncAnthropic.
    The best, not the median: with 200 requests at once, the SDK's connection pool (which keeps 100 connections alive)
    makes about every other round some 25% slower, the raw SDK's included, so medians compare a slow round with a fast one."""
    raw = AsyncAnthropic(base_url=url, api_key="sk-bench", max_retries=0)
    shared = AsyncClient(MODEL, cli=AsyncAnthropic(base_url=url, api_key="sk-bench", max_retries=0))
    async def chat_run(): await asyncio.gather(*[AsyncChat(cli=shared)("hello") for _ in range(n)])
    async def raw_run():
        await asyncio.gather(*[raw.messages.create(model=MODEL, max_tokens=4096, messages=[{"role": "user", "content": "hello"}]) for _ in range(n)])
    async def timed(f):
        t0 = time.perf_counter(); await f(); return time.perf_counter() - t0
    await chat_run(); await raw_run()
    c, r = [], []
    for i in range(rounds):  # each goes first half the time
        for f, ts in ((chat_run, c), (raw_run, r))[::1 if i % 2 else -1]: ts.append(await timed(f))
    await raw.close(); await shared.c.close()  # in this event loop, before it closes
    return min(c), min(r)  # the best: the SDK's pool makes every other round of 200 slower, raw or not (see the docstring)

def log_overhead(url, latency_ms=0, n=100, blocks=20, turns=10):
    "Median seconds per turn of a chat logging every call to SQLite, and of the same chat not logging, the server answering after `latency_ms`"
    sdk, q = Anthropic(base_url=url, api_key="sk-bench", max_retries=0), f"wait:{latency_ms} next question"
    with tempfile.TemporaryDirectory() as d:
        on, off = Chat(cli=Client(MODEL, cli=sdk, log=Path(d)/"bench.db")), Chat(cli=Client(MODEL, cli=sdk, log=False))
        a, b = [], []
        for _ in range(blocks):  # each block starts again from n messages
            on.h, off.h = history(n), history(n)
            on(q); off(q)  # not timed: a history the chat did not make is checked (and its 100 messages logged) once
            for i in range(turns): _abba(i, lambda: on(q), lambda: off(q), a, b)
        return statistics.median(a), statistics.median(b)

def main():
    here, there = mp.Pipe()
    server = mp.Process(target=_serve, args=(there,), daemon=True)
    server.start()
    url = here.recv()
    try:
        print("claudette benchmarks (local server in its own process; ratios against the raw anthropic SDK in the same run)\n")
        print(f"{'measure':34} {'claudette':>12} {'raw SDK':>12} {'ratio':>8}  target")
        a, b = control(url)
        print(f"{'control: raw SDK against itself':34} {a*1000:10.3f}ms {b*1000:10.3f}ms {a/b:8.3f}  1.00 on a quiet machine: the noise floor")
        for name, c, r in turn_overhead(url):
            print(f"{name:34} {c*1000:10.3f}ms {r*1000:10.3f}ms {c/r:8.3f}  <= 1.05")
        for ms, target, blocks in ((0, 1.10, 20), (50, 1.02, 8)):
            c, r = log_overhead(url, ms, blocks=blocks)
            print(f"{f'turn, call log on / off, {ms} ms server':34} {c*1000:10.3f}ms {r*1000:10.3f}ms {c/r:8.3f}  <= {target:.2f} (against log off)")
        c, r = first_turn(url)
        print(f"{'new Chat(model, hist=10 msgs), turn':34} {c*1000:10.3f}ms {r*1000:10.3f}ms {c/r:8.3f}  <= 1.10")
        ct, rt = asyncio.run(concurrent_turns(url))
        print(f"{'200 concurrent AsyncChat turns':34} {200/ct:9.0f}/s {200/rt:9.0f}/s {rt/ct:8.3f}  >= 0.90 (throughput)")
        w = eight_tools(url)
        print(f"{'8 sync tools x 0.5 s, one turn':34} {w:11.3f}s {'(4 s serial)':>12} {w/4:8.3f}  wall <= 0.7 s")
        w = asyncio.run(eight_async_tools(url))
        print(f"{'8 async tools x 0.5 s, one turn':34} {w:11.3f}s {'(4 s serial)':>12} {w/4:8.3f}  wall <= 0.7 s")
    finally:
        here.send("stop"); server.join(5)

if __name__ == "__main__": sys.exit(main())
