"""The event simulator: a design's services with AWS delivery semantics on a simulated clock.

Pure Python: nothing here imports streamlit. `simulate(design, scenario, seed)` returns a Run.
"""
