"""Schemas: the shapes of what the API takes and answers, and the one validation of input.

`base` holds the base classes and `parse_json`/`parse_data` (errors by dotted field path); `types` the
shared field types (reference codes, regions, text, UTC times); one module per subject holds its shapes.
Web forms build the same input shapes, so a rule checked here holds for the browser and the API alike.
"""
