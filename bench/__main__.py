"""`python -m bench` (or `make bench`): run every benchmark module of this package in turn.

Each module exposes `main(argv)`; `python -m bench.bulletins --help` shows a module's options.
"""

import importlib
import pkgutil
import sys

import bench


def run_all(argv: list[str]) -> int:
    status = 0
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")):
        mod = importlib.import_module(f"bench.{module}")
        if hasattr(mod, "main"):
            print(f"== bench.{module}", flush=True)
            status = mod.main([]) or status
    return status


if __name__ == "__main__":
    sys.exit(run_all(sys.argv[1:]))
