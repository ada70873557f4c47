"""Subcommands that live in their own modules (each with `register(sub)`)."""
