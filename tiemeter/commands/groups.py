"""Command groups that several modules add kinds to (``tiemeter import twarc`` and ``tiemeter import wxr``
live in different modules): ``command_group`` creates a group once and hands it out again."""

from __future__ import annotations

import argparse


def command_group(commands, name: str, help: str, dest: str, metavar: str = "KIND"):
    """The sub-command action of the group ``name`` (``import``, ``collect``), created on first use."""
    parser: argparse.ArgumentParser | None = commands.choices.get(name)
    if parser is None:
        parser = commands.add_parser(name, help=help)
        parser.set_defaults(_group_kinds=parser.add_subparsers(dest=dest, metavar=metavar, required=True))
    return parser.get_default("_group_kinds")
