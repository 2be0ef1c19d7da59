"""One module per command group; each exposes ``register(subparsers)`` and sets ``handler``."""

from tiemeter.commands import imports, load, transform

COMMAND_MODULES = [imports, load, transform]
