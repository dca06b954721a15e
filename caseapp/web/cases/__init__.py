"""Case pages: list, register, view, edit, lifecycle, assignment, notes and services."""
