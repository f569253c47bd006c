"""The ``glassnet`` command."""
import argparse
import sys


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a deep-neural-network library you can see through.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__
        print(__version__)
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
