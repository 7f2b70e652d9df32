"""NIR front end: read and validate a NIR graph (graph.py), emit snn IR (emitter.py)."""
