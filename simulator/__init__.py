"""The event simulator: a design's services with AWS delivery semantics on a simulated clock.

Pure Python: nothing here imports streamlit. `simulate(design, scenario, seed)` returns a Run.
The hot modules may run compiled (mypyc, built by `make compile` outside the source tree) when a build
matching the current sources is present; `SPS_PURE=1` forces the pure-Python modules (simulator/_compiled.py).
"""
from simulator._compiled import activate as _activate

_activate()
