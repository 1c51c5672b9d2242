"""A seeded fuzz test of a chat's history: hundreds of turns, sync and async, with random faults, odd replies and odd tool values.

After every turn, whatever happened: the history is one the API accepts back (LocalClaude records no broken rule, and
`check_request` passes on the next request), nothing earlier in it changed, a failed turn left it exactly as it was,
only the SDK's exception types (or a refusal to send nothing) reached the caller, and no hidden request was made.
"""
import asyncio, copy, dataclasses, json, random
import anthropic, pytest
from claudette.core import Client
from fastcore.aio import maybe_await
from claudette.chat import Chat
from claudette.asink import AsyncChat, AsyncClient
from claudette.testing import Drop, Fault, LocalClaude, check_request, reply, server_tool_use_block, tool_use_block, usage_json

MODEL, TURNS, SEED = "claude-sonnet-5-5", 200, 20261130
EXPECTED = (anthropic.APIError, ValueError)  # the SDK's exceptions (BadReply is one), and "nothing to send"

@dataclasses.dataclass
class Nest:
    "A nest of nests"
    child: "Nest|None" = None

def make_tools(rng):
    "Tools whose results are random odd values"
    def num(n:int)->int:
        "Echo an int."
        return n
    def depth(n:Nest)->int:
        "Depth of a nest."
        return 1
    def odd()->object:
        "Returns something odd."
        return rng.choice([float("nan"), {"x": float("-inf")}, "caf\udce9.txt", ["caf\udce9.txt", "notes.txt"], {"caf\udce9": 1}, "x" * 200_000,
                           b"\xff\xfe", {"a": {1, 2}}, object(), [1, "two"], {"deep": [[[[]]]]}, "", None, ZeroDivisionError("boom")])
    def boom(why:str="")->str:
        "Raises."
        raise RuntimeError(why or "boom")
    return [num, depth, odd, boom]

def deep(n):
    d = cur = {}
    for _ in range(n): cur["child"] = cur = {}
    return d

def odd_input(rng):
    "Random (tool name, input) pairs the model might send"
    return rng.choice([("odd", {}), ("odd", {}), ("num", {"n": 3}), ("num", {"n": "9" * 5000}), ("num", {"n": "x"}), ("num", {}), ("depth", {"n": deep(rng.choice([3, 3000]))}),
                       ("odd", {}), ("boom", {"why": "caf\udce9"}), ("nope", {"a": 1}), ("num", {"n": 1, "extra": True}), ("odd", [1, 2])])

def wire(blocks, stop="end_turn", **kw):
    return {"id": "msg_fuzz", "type": "message", "role": "assistant", "model": MODEL, "content": blocks, "stop_reason": stop,
            "stop_sequence": None, "usage": usage_json(10, 5)} | kw

def use(rng, i, name=None, inp=None, with_id=True):
    n, x = (name, inp) if name else odd_input(rng)
    b = {"type": "tool_use", "name": n, "input": x}
    return b | ({"id": f"toolu_{i}"} if with_id else {})

def odd_reply(rng):
    "One scripted answer: a normal reply, a fault, a cut, or a reply the API would not take back"
    k = rng.randrange(100)
    if k < 25: return reply(rng.choice(["fine", "caf\udce9", "ok " * 50]), usage=usage_json(10, 5))
    if k < 45: return reply("calling", *[tool_use_block(*odd_input(rng)) for _ in range(rng.randint(1, 3))], usage=usage_json(10, 5))
    if k < 52: return Fault(rng.choice([400, 429, 500, 529]), "scripted fault")
    if k < 58: return Drop(rng.randint(0, 8), reply("a reply cut short " * 5, usage=usage_json(10, 5)))
    odd = [{}, {"status": "ok"}, {"type": "error", "error": {"type": "api_error", "message": "x"}},
           wire([], "refusal"), wire([{"type": "text", "text": ""}]), wire([{"type": "text", "text": "a\ud800b"}], None),
           wire([use(rng, 1, "num", {"n": float("inf")})], "tool_use"), wire([use(rng, 1, with_id=False)], "tool_use"),
           wire([use(rng, 1), use(rng, 1)], "tool_use"), wire([{"type": "text", "text": "hm"}], rng.choice(["stop", "length", "compaction", "weird"])),
           wire([server_tool_use_block("web_search", {"query": "q"}, id="srvtoolu_1")], "pause_turn"),
           wire([{"type": "text", "text": "no usage"}]) | {"usage": None}, wire([{"type": "mystery", "data": 1}])]
    return rng.choice(odd)

def history_ok(chat, served_types=()):
    "The next request the chat would send passes the API's rules (blocks of the types the server sent go back as they came)"
    h = chat.h
    msgs = h + ([{"role": "user", "content": "next"}] if not h or h[-1]["role"] == "assistant" else [])
    json.dumps(msgs, allow_nan=False, ensure_ascii=False).encode("utf-8")
    err = check_request({"model": MODEL, "max_tokens": 1024, "messages": msgs, "tools": chat.box.schemas}, served_types=served_types)
    assert err is None, (err.message, msgs[-3:])

def blocks(m): return [{"type": "text", "text": m["content"]}] if isinstance(m["content"], str) else m["content"]

def unchanged_before(before, after, failed):
    "A failed turn leaves the history as it was; a kept one only adds to it (a prompt joins waiting tool results, a resumed pause extends its reply)"
    if failed: assert after == before; return
    assert after[:max(len(before)-1, 0)] == before[:-1]
    if before:
        old, new = before[-1], after[len(before)-1]
        assert new == old or (new["role"] == old["role"] and blocks(new)[:len(blocks(old))] == blocks(old))

def plan(rng):
    "How the next turn is made, and what the server answers"
    kind = rng.choice(["call", "call", "stream", "loop", "continue"])
    n = rng.randint(1, 3) if kind == "loop" else 1
    return kind, [odd_reply(rng) for _ in range(n)]

def check_turn(srv, chat, before, n0, kind, items, failure):
    if failure is not None and not isinstance(failure, EXPECTED): raise failure
    unchanged_before(before, chat.h, failure is not None and not (kind == "loop"))
    assert len(srv.requests) - n0 <= len(items)  # no hidden request
    assert srv.violations == [], srv.violations[-1][1]
    history_ok(chat, srv.served_types)
    srv.clear()

async def fuzz(chat, srv, rng):
    "`TURNS` random turns on `chat`, checked after each; written once for `Chat` and `AsyncChat` (sync calls are not awaited)"
    for turn in range(TURNS):
        kind, items = plan(rng)
        srv.script(*items)
        before, n0, failure = copy.deepcopy(chat.h), len(srv.requests), None
        try:
            if kind == "call": await maybe_await(chat(f"turn {turn}"))
            elif kind == "continue": await maybe_await(chat())
            elif kind == "stream": await maybe_await((await maybe_await(chat(f"turn {turn}", stream=True, events=rng.random() < 0.5))).drain())
            else: await maybe_await(chat.toolloop(f"turn {turn}", max_steps=len(items)).drain())
        except Exception as e: failure = e
        check_turn(srv, chat, before, n0, kind, items, failure)

def test_fuzz_sync():
    rng = random.Random(SEED)
    with LocalClaude() as srv:
        chat = Chat(cli=Client(MODEL, cli=srv.client(max_retries=0)), tools=make_tools(rng), cont_pr="go on")
        asyncio.run(fuzz(chat, srv, rng))

def test_fuzz_async():
    rng = random.Random(SEED + 1)
    with LocalClaude() as srv:
        chat = AsyncChat(cli=AsyncClient(MODEL, cli=srv.async_client(max_retries=0)), tools=make_tools(rng), cont_pr="go on")
        asyncio.run(fuzz(chat, srv, rng))
