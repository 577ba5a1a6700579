"""Builders: one private module per family of fakes (iterators, contexts, streams, flaky, pools)."""
