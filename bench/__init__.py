"""QRTrace benchmarks: `python -m bench --size small|medium|full [names…]` (see bench/__main__.py).

Each benchmark is a module with `run(ctx: Context) -> list[Figure]`; docs/benchmarks.md records the
figures of full-size runs with the machine, the date and the command.
"""
