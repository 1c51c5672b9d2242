__version__ = "0.4.0"
# The public API, as `from claudette import *` gives it. `claudette.testing` is imported on its own.
from .modelinfo import *
from .messages import *
from .core import *
from .tools import *
from .chat import *
from .asink import *
from .text_editor import *
from .persist import *
