"""One module per command group; each exposes ``register(subparsers)`` and sets ``handler``."""

from tiemeter.commands import collect, imports, load

COMMAND_MODULES = [imports, load, collect]
