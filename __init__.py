"""This folder is the clone of claudette's repository; the package is its `claudette/` folder.

A notebook or script run in the folder that holds the clone finds this folder first when it imports `claudette`.
Without this file Python would import it as an empty namespace package (`NameError: name 'Chat' is not defined`);
with it, the import loads the package inside the clone, as it would from the clone itself.
"""
from pathlib import Path

__path__ = [str(Path(__file__).resolve().parent/'claudette')]
_init = Path(__path__[0])/'__init__.py'
exec(compile(_init.read_text(), str(_init), 'exec'))
