"""Artefacts made from a design: diagrams now (DOT, Mermaid); SAM and starter projects later."""
