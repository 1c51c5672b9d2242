"A tiny travel assistant built on claudette: the app that `test_sample_app.py` tests with claudette's pytest plugin"
import anthropic
from claudette import Chat, AsyncChat, contents

MODEL = "claude-haiku-4-5"
SYSTEM = "You are a concise travel assistant."
BUSY = "The assistant is busy right now; please try again in a minute."
FORECASTS = {"Paris": "sunny, 24°C", "Oslo": "rain, 9°C"}

def weather(city:str # A city name, e.g. "Paris"
           )->str:
    "Today's weather in `city`"
    return FORECASTS.get(city, "no forecast")

def advise(question:str, # What the traveller asks
           client:anthropic.Anthropic|None=None # The SDK client; the default one (2 retries) if None
          )->str:
    "Answer a travel question, looking up the weather as needed; `BUSY` when Claude is overloaded or down"
    chat = Chat(MODEL, cli=client or anthropic.Anthropic(), sp=SYSTEM, tools=[weather])
    try: return contents(list(chat.toolloop(question))[-1])
    except (anthropic.RateLimitError, anthropic.InternalServerError): return BUSY

async def advise_async(question:str)->str:
    "`advise`, asynchronously"
    chat = AsyncChat(MODEL, cli=anthropic.AsyncAnthropic(), sp=SYSTEM, tools=[weather])
    try: return contents([m async for m in chat.toolloop(question)][-1])
    except (anthropic.RateLimitError, anthropic.InternalServerError): return BUSY
