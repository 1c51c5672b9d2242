"""500-turn tool loops on models with small context windows, under each context policy, sync and async.

Every request must be one the API accepts (LocalClaude checks each, including the context window, after applying
the API's context management edits) and must fit; the history plus what was dropped is the whole conversation.
The chapters show shorter runs: see nbs/05_chat.ipynb, section "Long chats". These take a minute or two, so they run
under CI (`CI=true`, as `.ci/run` has it) or when `CLAUDETTE_LONG_TESTS=1`, and are skipped otherwise.
"""
import asyncio, dataclasses, multiprocessing as mp, os
import pytest
from claudette.asink import AsyncChat, AsyncClient
from claudette.chat import Chat
from claudette.context import ApiEdits, Trim, cut_points
from claudette.core import Client
from claudette.modelinfo import lookup, model_specs
from claudette.testing import LocalClaude, prompt_tokens, reply, tool_use_block, usage_json

TURNS, MAXTOK = 500, 1000
pytestmark = pytest.mark.skipif(not (os.environ.get("CI") == "true" or os.environ.get("CLAUDETTE_LONG_TESTS")),
                                reason="long runs: set CLAUDETTE_LONG_TESTS=1 (CI runs them)")

def forecast(city:str)->str:
    "The week's weather forecast for a city."
    return f"{city}: sunny all week. " + "Light winds, clear skies, mild nights. " * 8

def tool_then_answer(req):
    "Claude calling `forecast` for each prompt, and answering once it has the result"
    last = req.body["messages"][-1]
    if isinstance(last["content"], list) and last["content"][-1].get("type") == "tool_result": return reply("Sunny.", usage=usage_json(100, 5))
    return reply(tool_use_block("forecast", {"city": "Paris"}), usage=usage_json(100, 20))

def small_model(name, context):
    "A model id like Haiku 4.5, with a context window of `context` tokens"
    model_specs[name] = dataclasses.replace(lookup("claude-haiku-4-5"), id=name, context=context)
    return name

def serve(conn):
    "Run a LocalClaude in this process (a second core for the server); answer with a summary of what it received when asked"
    with LocalClaude(responder=tool_then_answer) as s:
        conn.send(s.base_url)
        conn.recv()
        conn.send(dict(n=len(s.requests), violations=[m for _, m in s.violations], largest=max(prompt_tokens(r.body) for r in s.requests),
                       managed=sum("context_management" in r.body for r in s.requests)))

class Remote:
    "A LocalClaude in a child process: its base URL, SDK clients, and a summary of the requests it received"
    def __init__(self):
        self.conn, theirs = mp.Pipe()
        self.proc = mp.get_context("fork").Process(target=serve, args=(theirs,), daemon=True)
        self.proc.start()
        self.base_url = self.conn.recv()
    def client(self):
        from anthropic import Anthropic
        return Anthropic(base_url=self.base_url, api_key="sk-local-test", max_retries=0)
    def async_client(self):
        from anthropic import AsyncAnthropic
        return AsyncAnthropic(base_url=self.base_url, api_key="sk-local-test", max_retries=0)
    def summary(self)->dict:
        self.conn.send("done")
        return self.conn.recv()

@pytest.fixture
def srv():
    r = Remote()
    yield r
    r.proc.kill(); r.proc.join()

def check(srv, chat, model, policy):
    "Every request valid and within the window (after the API's edits); nothing lost"
    got = srv.summary()
    assert (got["n"], got["violations"]) == (2*TURNS, [])
    if isinstance(policy, Trim): assert got["largest"] <= model_specs[model].context - MAXTOK, got["largest"]
    else: assert got["managed"] == 2*TURNS and got["largest"] > model_specs[model].context  # what was sent only fits after the API's edits
    whole = chat.dropped + chat.h
    assert len(whole) == 4*TURNS and cut_points(whole) == list(range(0, 4*TURNS, 4))
    assert [m["content"] for m in whole[::4]] == [f"Forecast, take {i}?" for i in range(TURNS)]

POLICIES = [(Trim(), "claude-test-20k", 20_000), (ApiEdits(keep_tool_uses=3, trigger=30_000), "claude-test-60k", 60_000)]

for _p, _name, _context in POLICIES: small_model(_name, _context)  # before the server process forks, so that it knows them too

@pytest.mark.parametrize("policy,name,context", POLICIES, ids=["trim", "api-edits"])
def test_sync(srv, policy, name, context):
    model = small_model(name, context)
    chat = Chat(cli=Client(model, cli=srv.client()), tools=[forecast], context=policy)
    for i in range(TURNS):
        for _ in chat.toolloop(f"Forecast, take {i}?", maxtok=MAXTOK): pass
    check(srv, chat, model, policy)

@pytest.mark.parametrize("policy,name,context", POLICIES, ids=["trim", "api-edits"])
def test_async(srv, policy, name, context):
    model = small_model(name, context)
    chat = AsyncChat(cli=AsyncClient(model, cli=srv.async_client()), tools=[forecast], context=policy)
    async def run():
        for i in range(TURNS):
            async for _ in chat.toolloop(f"Forecast, take {i}?", maxtok=MAXTOK): pass
    asyncio.run(run())
    check(srv, chat, model, policy)
