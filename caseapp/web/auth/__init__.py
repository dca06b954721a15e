"""Sign-in, sign-out, sessions and own password."""
