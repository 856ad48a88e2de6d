"""Benchmarks: generators and measurements run by `python -m bench.run --quick|--full` (make bench-quick / make bench)."""
