"""Rendering manifests: one pipeline (read → resolve → rewrite images → wire overwrites → write)."""
