"""Security primitives: permissions, password handling; importable without a request."""
