"""The HTML interface, one package per area (views.py, forms.py)."""
