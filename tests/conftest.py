# Installed claudette registers its pytest plugin by entry point; from a source checkout (claudette on PYTHONPATH,
# not pip-installed) this loads it instead. Both name it "claudette.pytest_plugin", so it is never loaded twice.
pytest_plugins = ["claudette.pytest_plugin"]
