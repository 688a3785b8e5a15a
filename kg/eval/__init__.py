"""eval: TODO."""
