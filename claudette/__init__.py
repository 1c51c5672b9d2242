__version__ = "0.4.0"
# The public API, as `from claudette import *` gives it. `claudette.testing` is imported on its own.
from .modelinfo import *
from .messages import *
from .log import LOG_ENV as LOG_ENV, CallLog as CallLog, PersistError as PersistError  # the call log (`claudette.log`)
from .core import *
from .context import Budget as Budget, BudgetExceeded as BudgetExceeded  # what `Chat(budget=)` takes, and raises
from .tools import *
from .chat import *
from .asink import *
from . import persist as persist  # `Chat.save`, `Chat.load`, `chat.fork`, `Chat.from_log`: part of `Chat` from the first import
from .live import *  # streams and tool loops shown live in a notebook
# Not the text editor's claudette 0.3 shims (`view`, `create`...): `from claudette.text_editor import *` has those.
from .text_editor import TextEditor as TextEditor, confine as confine, text_editor_conf as text_editor_conf
from .compat import *
