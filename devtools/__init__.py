"""Tools the tests and the benchmarks share; production never imports them."""
