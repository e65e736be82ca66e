"""Runs the benchmarks (all, or those named) and updates docs/benchmarks.md.

python benchmarks/run.py            # every benchmarks/bench_*.py
python benchmarks/run.py quality    # benchmarks/bench_quality.py only
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    for name in names or available:
        if name not in available:
            raise SystemExit(f"no benchmark '{name}'; available: {', '.join(available)}")
        print(f"== benchmark {name}", flush=True)
        importlib.import_module(f"bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
