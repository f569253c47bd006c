"""The ``glassnet`` command."""
import argparse
import sys


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a deep-neural-network library you can see through.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_inspect(subparsers)
    return parser


def _add_inspect(subparsers):
    inspect = subparsers.add_parser(
        "inspect", help="print a saved model's summary and, given data, its diagnosis",
        description="Print the summary of a .keras model file (glassnet's or Keras 3's). With "
                    "--data, also run glassnet.diagnose on that data and print the findings.")
    inspect.add_argument("model_file", metavar="MODEL_FILE", help="a .keras file")
    inspect.add_argument("--data", metavar="FILE",
                         help="a .npz file with arrays x and y, or a .csv file whose last "
                              "column is y")
    inspect.add_argument("--lang", choices=("en", "ko"), default="en",
                         help="language of the findings (default: en)")


def _run_inspect(args):
    """``glassnet inspect``: load (refusing unsafe files with a one-line reason), summarize,
    and diagnose on the given data."""
    import numpy as np

    from . import diagnose
    from .models import load_model
    try:
        model = load_model(args.model_file)
    except (OSError, ValueError) as error:
        print(f"glassnet inspect: {error}", file=sys.stderr)
        return 2
    model.summary()
    if args.data is None:
        return 0
    if not model.compiled:
        print("glassnet inspect: the file has no loss (it was saved before compile()), so there "
              "is nothing to diagnose against.", file=sys.stderr)
        return 2
    try:
        if args.data.endswith(".npz"):
            with np.load(args.data, allow_pickle=False) as arrays:
                x, y = arrays["x"], arrays["y"]
        else:
            table = np.loadtxt(args.data, delimiter=",", ndmin=2)
            x, y = table[:, :-1], table[:, -1]
        findings = diagnose(model, x, y)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"glassnet inspect: cannot diagnose on {args.data!r}: {error}", file=sys.stderr)
        return 2
    print(f"\nDiagnosis on {len(x)} samples from {args.data}:" if args.lang == "en" else
          f"\n{args.data}의 표본 {len(x)}개에 대한 진단:")
    for finding in findings:
        print(finding.format(args.lang))
    if not findings:
        print("No problems found." if args.lang == "en" else "문제가 발견되지 않았습니다.")
    return 0


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__
        print(__version__)
        return 0
    if args.command == "inspect":
        return _run_inspect(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
