"""One module per command group; each exposes ``register(subparsers)`` and sets ``handler``."""

from tiemeter.commands import blog_imports, collect, collect_blogs, imports, load, publish, transform

COMMAND_MODULES = [imports, blog_imports, collect, collect_blogs, load, transform, publish]
