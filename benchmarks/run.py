"""Every benchmark, one after another, then one table of glassnet against its peers.

    python benchmarks/run.py            # the real figures (a few minutes)
    python benchmarks/run.py --quick    # a smoke run of every benchmark (seconds; numbers meaningless)
    python benchmarks/run.py --only w1 memory

Each benchmark prints its own table as it finishes; the summary at the end has one line per
(figure, peer): glassnet's value, the peer's, their ratio and the goal from issue 2. Timings are
best-of-several on a shared 2-core machine (see common.py); the load average is printed with
each table so a busy moment shows.
"""
import argparse
import sys
import time

import bench_import
import bench_memory
import bench_threads
import bench_w1
import bench_w2
import common
import profile_fit
import whatif

BENCHMARKS = {"import": bench_import, "w1": bench_w1, "w2": bench_w2, "memory": bench_memory,
              "threads": bench_threads, "profile": profile_fit, "whatif": whatif}

COLUMNS = [("benchmark", "figure", "{}"), ("peer", "against", "{}"),
           ("glassnet", "glassnet", "{:,.3f}"), ("theirs", "theirs", "{:,.3f}"),
           ("ratio", "glassnet / theirs", "{:.2f}"), ("goal", "goal (ratio)", "{}"),
           ("met", "met", "{}")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of every benchmark: tiny sizes, one repeat")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only these ({', '.join(BENCHMARKS)})")
    args = parser.parse_args(argv)
    lines = []
    for name in args.only or list(BENCHMARKS):
        module = BENCHMARKS[name]
        start = time.perf_counter()
        result = module.run(args.quick)
        print(f"== {name} ({time.perf_counter() - start:.0f} s) " + "=" * 60)
        print(module.report(result, args.quick), end="\n\n", flush=True)
        lines += module.summary(result)
    print("== summary " + "=" * 70)
    print(common.machine_line())
    print(common.table(lines, COLUMNS))
    missed = [line for line in lines if line["met"] is False]
    print(f"{len(missed)} goal(s) not met" + (": " + "; ".join(
        f"{m['benchmark']} vs {m['peer']}" for m in missed) if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
