"""write: TODO."""
