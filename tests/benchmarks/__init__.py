"""Benchmarks (`make bench`).  Each prints its figure beside a baseline measured in
the same run, as a ratio.  `--quick` (run by `make test`) checks correctness only."""
