"""The pattern catalog: data files under patterns/data, loaded and checked by patterns.catalog."""
