__version__ = "0.4.0"
# The public API, as `from claudette import *` gives it. `claudette.testing` is imported on its own.
from .modelinfo import *
from .messages import *
from .core import *
from .tools import *
from .chat import *
from .asink import *
from .live import *  # streams and tool loops shown live in a notebook
# Not the text editor's claudette 0.3 shims (`view`, `create`...): `from claudette.text_editor import *` has those.
from .text_editor import TextEditor as TextEditor, confine as confine, text_editor_conf as text_editor_conf
from .compat import *
