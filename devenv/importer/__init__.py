"""`devenv import`: an existing Compose project to devenv.yaml, checked by Compose itself.

The real Compose CLI reads the project (``docker compose config --format json``: default
file names, overrides, ``.env`` interpolation, ``extends``, ``include``, profiles), so
nothing of the Compose specification is re-implemented here. :mod:`convert` proposes
what each service becomes in the spec (a dependency of a known kind, a service built
from a path, a service from an image); :mod:`refine` renders that proposal with devenv's
own renderer, has Compose normalise the result, and keeps every key that does not come
out the same as raw compose keys (``compose:``); :mod:`compare` is the comparison both
use, and what the report's self-check says. :mod:`run` ties it together and writes the
files; :mod:`sources` finds and moves the original compose files.
"""
