"""The renderers of events: one class per output mode, one method per event class.

:mod:`devenv.cli.output` picks the renderer for the mode in force and feeds it the
events a command's core call returns; nothing else in the CLI prints.
"""
