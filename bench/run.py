"""claudette's speed benchmarks, run on demand: `python bench/run.py`.

Everything runs against claudette's local server (`LocalClaude`) on 127.0.0.1, and every figure is a ratio against
a baseline measured in the same run: the raw `anthropic` SDK client making the same requests to the same server.
Targets (from the project's issues): per-turn overhead <= 1.05x the raw SDK at 10, 100 and 1,000-message histories;
8 tools x 0.5 s in one turn <= 0.7 s wall (sync and async); 200 concurrent AsyncChat turns >= 0.9x the raw
AsyncAnthropic throughput.
"""
import asyncio, statistics, sys, time
from claudette.testing import LocalClaude, reply, tool_use_block, usage_json
from claudette.chat import Chat
from claudette.asink import AsyncChat, AsyncClient
from claudette.core import Client

MODEL = "claude-sonnet-5-5"

def echo(req): return reply("ok", usage=usage_json(10, 2))

def history(n):
    "A conversation of `n` messages (alternating, starting with user, ending with assistant)"
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " + "lorem ipsum " * 20} for i in range(n)]

def _best(f, reps):
    "Median seconds of `reps` runs of `f`"
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)

def turn_overhead(srv):
    rows = []
    raw = srv.client()
    for n in (10, 100, 1000):
        h, reps = history(n), (60 if n < 1000 else 20)
        chat = Chat(cli=Client(MODEL, cli=srv.client()), hist=h)
        def chat_turn():
            chat("next question"); del chat.h[-2:]
        def raw_turn(): raw.messages.create(model=MODEL, max_tokens=4096, messages=h + [{"role": "user", "content": "next question"}])
        chat_turn(); raw_turn()  # warm up
        c, r = [], []
        for _ in range(3):  # interleave to spread drift over both
            c.append(_best(chat_turn, reps)); r.append(_best(raw_turn, reps))
        rows.append((f"turn, {n:>4}-message history", min(c), min(r)))
    return rows

def slow(i:int)->int:
    "Sleeps half a second"
    time.sleep(0.5); return i

async def aslow(i:int)->int:
    "Sleeps half a second, asynchronously"
    await asyncio.sleep(0.5); return i

def eight_tools(srv):
    calls = [tool_use_block("slow", {"i": i}) for i in range(8)]
    chat = Chat(cli=Client(MODEL, cli=srv.client()), tools=[slow])
    srv.script(reply(*calls))
    t0 = time.perf_counter(); chat("go"); return time.perf_counter() - t0

async def eight_async_tools(srv):
    calls = [tool_use_block("aslow", {"i": i}) for i in range(8)]
    chat = AsyncChat(cli=AsyncClient(MODEL, cli=srv.async_client()), tools=[aslow])
    srv.script(reply(*calls))
    t0 = time.perf_counter(); await chat("go"); return time.perf_counter() - t0

async def concurrent_turns(srv, n=200):
    raw = srv.async_client()
    shared = AsyncClient(MODEL, cli=srv.async_client())
    async def chat_run():
        chats = [AsyncChat(cli=shared) for _ in range(n)]
        await asyncio.gather(*[c("hello") for c in chats])
    async def raw_run():
        await asyncio.gather(*[raw.messages.create(model=MODEL, max_tokens=4096, messages=[{"role": "user", "content": "hello"}]) for _ in range(n)])
    await chat_run(); await raw_run()
    c, r = [], []
    for _ in range(5):
        t0 = time.perf_counter(); await chat_run(); c.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); await raw_run(); r.append(time.perf_counter() - t0)
    return min(c), min(r)

def main():
    with LocalClaude(responder=echo) as srv:
        print("claudette benchmarks (local server; ratios against the raw anthropic SDK in the same run)\n")
        print(f"{'measure':34} {'claudette':>12} {'raw SDK':>12} {'ratio':>8}  target")
        for name, c, r in turn_overhead(srv):
            print(f"{name:34} {c*1000:10.2f}ms {r*1000:10.2f}ms {c/r:8.3f}  <= 1.05")
        ct, rt = asyncio.run(concurrent_turns(srv))
        print(f"{'200 concurrent AsyncChat turns':34} {200/ct:9.0f}/s {200/rt:9.0f}/s {rt/ct:8.3f}  >= 0.90 (throughput)")
        w = eight_tools(srv)
        print(f"{'8 sync tools x 0.5 s, one turn':34} {w:11.3f}s {'4.000s':>12} {w/4:8.3f}  wall <= 0.7 s (sequential = 4 s)")
        w = asyncio.run(eight_async_tools(srv))
        print(f"{'8 async tools x 0.5 s, one turn':34} {w:11.3f}s {'4.000s':>12} {w/4:8.3f}  wall <= 0.7 s (sequential = 4 s)")

if __name__ == "__main__": sys.exit(main())
