"Tests of the sample app, as a claudette user writes them: the `local_claude` fixture of claudette's pytest plugin"
import anthropic, pytest
from claudette.testing import Fault, reply, tool_use_block
from sample_app import BUSY, MODEL, advise, advise_async

def test_answers_using_the_weather_tool(local_claude):
    local_claude.when(tools=["weather"], contains="Paris", then=[reply(tool_use_block("weather", {"city": "Paris"}))])
    local_claude.script(reply("Pack sunglasses: Paris is sunny, 24°C."))
    assert advise("Do I need sunglasses in Paris?") == "Pack sunglasses: Paris is sunny, 24°C."
    local_claude.assert_sent(request=0, model=MODEL, system="travel assistant", tools=["weather"], contains="Paris")
    result = local_claude.last.messages[-1]["content"][0]
    assert (result["type"], result["content"]) == ("tool_result", "sunny, 24°C")

def test_falls_back_when_overloaded_through_sdk_retries(local_claude):
    # The app's default client retries twice: the fault must answer all three attempts to reach the app.
    local_claude.script(Fault(529, "Overloaded", retry_after=0.01, times=3))
    assert advise("Weather in Oslo?") == BUSY
    assert [r.headers["x-stainless-retry-count"] for r in local_claude.requests] == ["0", "1", "2"]

def test_falls_back_without_sdk_retries(local_claude):
    local_claude.script(Fault(529, "Overloaded"))
    assert advise("Weather in Oslo?", client=anthropic.Anthropic(max_retries=0)) == BUSY
    assert len(local_claude.requests) == 1

def test_recovers_after_an_outage(local_claude):
    local_claude.script(Fault(500, retry_after=0.01, times=None))  # every request fails until cleared; the SDK retries at once
    assert advise("Weather in Oslo?") == BUSY
    local_claude.clear()
    local_claude.script(reply("Bring an umbrella."))
    assert advise("Weather in Oslo?") == "Bring an umbrella."

@pytest.fixture
def anyio_backend(): return "asyncio"  # anyio's pytest plugin (installed with the SDK) runs the async tests on asyncio

@pytest.mark.anyio
async def test_async_app(local_claude):
    local_claude.script(reply(tool_use_block("weather", {"city": "Oslo"})), reply("Rain in Oslo: take a coat."))
    assert await advise_async("Oslo today?") == "Rain in Oslo: take a coat."
    local_claude.assert_sent(contains="", tools=["weather"])

@pytest.mark.claudette_cassette("cassettes/paris.json")
def test_replays_a_recorded_session(local_claude):
    # Recorded once with `pytest --claudette-record` (here from a local upstream); replayed offline ever after.
    assert advise("Do I need sunglasses in Paris?") == "Yes: Paris is sunny, 24°C today."
