"""Makes this directory's helper modules importable by its tests whatever
pytest's rootdir or import mode (ctest runs them with --rootdir
tests/reference; scripts/test.sh from the repository root)."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
