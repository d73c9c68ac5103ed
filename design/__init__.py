"""The design model: nodes, edges, the service-type registry, loading and saving. No streamlit here."""
from design.loader import DesignError, from_data, load_file, load_text, save, to_json, to_yaml, validate
from design.model import Design, Edge, Node

__all__ = ["Design", "DesignError", "Edge", "Node", "from_data", "load_file", "load_text", "save", "to_json",
           "to_yaml", "validate"]
