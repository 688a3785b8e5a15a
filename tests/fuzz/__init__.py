"""Fuzzing of ingest and extraction: ``python -m tests.fuzz`` (``make fuzz``)."""
