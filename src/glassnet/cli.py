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
    _add_lab(subparsers)
    _add_compare(subparsers)
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

    from .insight.diagnosis import diagnose
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
        if args.data.endswith((".keras", ".h5")) or (
                not args.data.endswith(".npz") and _is_zip_or_hdf5(args.data)):
            raise ValueError("that is a model file; --data takes the data to diagnose on: a "
                             ".npz file with arrays x and y, or a .csv file whose last column "
                             "is y.")
        if args.data.endswith(".npz"):
            with np.load(args.data, allow_pickle=False) as arrays:
                if not {"x", "y"} <= set(arrays.files):
                    raise ValueError(f"a .npz file for --data holds arrays named x and y; "
                                     f"this one has {', '.join(arrays.files) or 'none'}.")
                x, y = arrays["x"], arrays["y"]
        else:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")        # "input contained no data": said below
                table = np.loadtxt(args.data, delimiter=",", ndmin=2)
            if table.size and table.shape[1] < 2:
                raise ValueError("a .csv file for --data has the features and then y on each "
                                 f"row; this one has {table.shape[1]} column(s).")
            x, y = (table[:, :-1], table[:, -1]) if table.size else (table, table)
        if len(x) == 0:
            raise ValueError("it holds no samples (0 rows); diagnose needs at least one.")
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


def _is_zip_or_hdf5(path):
    """True when ``path`` starts as a zip (a .keras file) or an HDF5 file does."""
    try:
        with open(path, "rb") as file:
            start = file.read(8)
    except OSError:
        return False
    return start.startswith((b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"))


# -- glassnet lab / glassnet compare ---------------------------------------------------------
def _add_run_options(parser):
    """The options ``lab`` and ``compare`` share."""
    parser.add_argument("--seeds", type=int, default=3, metavar="N",
                        help="run every setting with seeds 0..N-1 (default: 3)")
    parser.add_argument("--out", default="glassnet-report", metavar="DIR",
                        help="where the report goes: DIR/index.html, DIR/results.json, the "
                             "figures, and finished trials in DIR/trials/ (reused when run "
                             "again) (default: glassnet-report)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the trials on a Dask cluster, e.g. tcp://10.0.0.5:8786 "
                             "(needs the dask extra; --jobs is then ignored)")
    parser.add_argument("--lang", choices=("en", "ko"), default="en",
                        help="language of the report, figures included (default: en)")
    _add_safety_options(parser)


def _add_safety_options(parser):
    """--force, --yes and the certificates of a tls:// scheduler."""
    from .lab.runner import PLAN_LIMIT
    parser.add_argument("--force", action="store_true",
                        help="write the report into a non-empty folder glassnet did not write "
                             "(its index.html, results.json and PNG files are replaced); "
                             "without it such a folder is refused")
    parser.add_argument("--yes", action="store_true",
                        help=f"run a plan of more than {PLAN_LIMIT:,} trials (refused "
                             f"without it: likely a typo in --seeds or the settings)")
    for option, what in (("--tls-ca", "the CA certificate the cluster's certificates are "
                                      "signed with"),
                         ("--tls-cert", "this client's certificate"),
                         ("--tls-key", "this client's private key")):
        parser.add_argument(option, metavar="FILE",
                            help=f"for a tls:// --scheduler: {what} (PEM)")


def _add_lab(subparsers):
    from .lab.experiments import CATALOGUE
    ids = ", ".join(experiment.id for experiment in CATALOGUE)
    lab = subparsers.add_parser(
        "lab", help="run the chapter's experiments and write one HTML report",
        description="Run the experiments of the deep-neural-network chapter over several "
                    "seeds and write DIR/index.html (self-contained, works offline) with "
                    "figures, tables and conclusions, and DIR/results.json. `glassnet lab "
                    f"list` prints the catalogue. Experiments: {ids}.")
    lab.add_argument("ids", nargs="*", metavar="ID",
                     help="experiments to run (default: all), or `list`")
    _add_run_options(lab)
    lab.add_argument("--quick", action="store_true",
                     help="tiny sizes (2 epochs, few samples): checks an install in seconds; "
                          "the numbers mean little")


def _add_compare(subparsers):
    compare = subparsers.add_parser(
        "compare", help="train your own grid of MLPs over seeds and report it like the lab",
        description="Train every combination of the given settings over seeds (an MLP with a "
                    "softmax output) and write the same report as `glassnet lab`. Example: "
                    "glassnet compare --init glorot_uniform he_normal --activation relu tanh "
                    "--seeds 5")
    for option, kind, default, what in COMPARE_OPTIONS:
        shown = "" if default is None else f" (default: {default})"
        what = what.replace("{grids}", _rate_grids())
        compare.add_argument(option, nargs="+", type=_rate if kind == "rate" else kind,
                             default=[default], metavar="V", help=what + shown)
    _add_run_options(compare)
    compare.set_defaults(out="glassnet-compare")     # never the lab's folder
    for action in compare._actions:
        if action.dest == "out":
            action.help = action.help.replace("glassnet-report", "glassnet-compare")


COMPARE_OPTIONS = (
    ("--dataset", str, "digits", "digits (pixels / 16) or a 2-D set: moons, circles, spirals, xor"),
    ("--depth", int, 2, "number of hidden layers"),
    ("--width", int, 64, "units per hidden layer"),
    ("--activation", str, "relu", "hidden activation, as Keras names it"),
    ("--init", str, "glorot_uniform", "kernel initializer, as Keras names it"),
    ("--loss", str, "sparse_categorical_crossentropy",
     "loss, as Keras names it (every loss but the sparse ones gets one-hot targets)"),
    ("--optimizer", str, "adam", "optimizer, as Keras names it"),
    ("--learning-rate", "rate", None,
     "learning rate: a number is one rate shared by every arm; auto gives each arm its own, "
     "chosen on the validation split (digits: the 50 held-out samples; a 2-D set: the last "
     "fifth of its training part) from a small grid per optimizer: {grids}, any other its "
     "default x 1/3, 1, 3. auto trains one net per rate of the grid from the same initial "
     "weights, so it costs 3-4x the time and --yes counts each; the test set plays no part "
     "in the choice. Without the option every arm "
     "runs at its optimizer's default, as Keras's compile(optimizer='adam') and "
     "scikit-learn's MLPClassifier do (Adam: 0.001)"),
    ("--epochs", int, 20, "epochs"),
    ("--batch-size", int, 32, "batch size"),
)


MAX_DEPTH, MAX_WIDTH, MAX_PARAMETERS = 1000, 100_000, 100_000_000


def _rate_grids():
    """'adam 0.0003 0.001 0.003 (2-D sets: 0.003 0.01 0.03), sgd 0.03 0.1 0.3 1': the lab's."""
    from .lab.experiments import rate_grid

    def rates(optimizer, dataset="digits"):
        return " ".join(f"{rate:g}" for rate in rate_grid(optimizer, dataset))
    return f"adam {rates('adam')} (2-D sets: {rates('adam', 'moons')}), sgd {rates('sgd')}"


def _rate(text):
    """A --learning-rate value: ``auto`` (each arm chooses its own) or a number."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a number nor auto") from None


def compare_configs(args):
    """Every combination of the ``compare`` options (a value given twice counts once), each
    name checked and the number of trials counted before any work."""
    import itertools
    import math

    from . import activations, initializers, losses, optimizers
    from .datasets import TOY_DATASETS
    from .lab.experiments import rate_grid
    from .lab.runner import check_plan_size, check_seeds
    checks = {"activation": activations.get, "init": initializers.get, "loss": losses.get,
              "optimizer": optimizers.get}
    keys = [option[2:].replace("-", "_") for option, *_ in COMPARE_OPTIONS]
    for key in keys:
        setattr(args, key, list(dict.fromkeys(getattr(args, key))))
        for value in getattr(args, key):
            if key in checks:
                checks[key](value)                       # an unknown name raises here
            if key == "dataset" and value not in ("digits",) + TOY_DATASETS:
                raise ValueError(f"Unknown data set {value!r}; choose digits or one of "
                                 f"{', '.join(TOY_DATASETS)}.")
            if key in ("depth", "width", "epochs", "batch_size") and value < 1:
                raise ValueError(f"--{key.replace('_', '-')} must be at least 1, got {value}.")
            if key == "learning_rate" and value not in (None, "auto") and not value > 0:
                raise ValueError(f"--learning-rate must be a positive number or auto, got "
                                 f"{value}.")
    _check_size(max(args.depth), max(args.width))
    check_seeds(args.seeds)
    yes = getattr(args, "yes", False)
    check_plan_size(math.prod(len(getattr(args, key)) for key in keys) * args.seeds, yes)
    configs = []
    for combination in itertools.product(*(getattr(args, key) for key in keys)):
        config = dict(zip(keys, combination))
        config.update({"scale": 16} if config["dataset"] == "digits" else {"n_samples": 400})
        if config["learning_rate"] == "auto":
            config["learning_rate_grid"] = rate_grid(config["optimizer"], config["dataset"])
        configs.append(config)
    # auto: every rate of an arm's grid is one more net trained, counted like a trial.
    check_plan_size(sum(len(c.get("learning_rate_grid", [0])) for c in configs) * args.seeds,
                    yes)
    return configs


def _check_size(depth, width):
    """Refuse a network too large to be a question about training (building it would take
    minutes or all the memory): depth, width and the parameters of a digits MLP."""
    if depth > MAX_DEPTH:
        raise ValueError(f"--depth {depth} is more than {MAX_DEPTH} hidden layers; the lab's "
                         f"deepest network has 30.")
    if width > MAX_WIDTH:
        raise ValueError(f"--width {width} is more than {MAX_WIDTH:,} units per layer.")
    parameters = 64 * width + (depth - 1) * width * (width + 1) + (width + 1) * 10
    if parameters > MAX_PARAMETERS:
        raise ValueError(f"--depth {depth} --width {width} makes about {parameters:,} "
                         f"parameters, more than {MAX_PARAMETERS:,} (400 MB of float32 "
                         f"weights per trial); choose a smaller network.")


def _run_lab(args):
    from . import lab
    if args.ids == ["list"]:
        rows = lab.catalogue_rows()
        width = max(len(section) for _, _, section, _ in rows)
        for experiment_id, question, section, _ in rows:
            print(f"{experiment_id:16} {section:{width}}  {question}")
        return 0
    return _run_experiments(args, lambda progress: lab.run(
        args.ids, seeds=args.seeds, out=args.out, jobs=args.jobs, scheduler=args.scheduler,
        lang=args.lang, quick=args.quick, progress=progress, **_safety(args)))


def _run_compare(args):
    from . import lab
    try:
        configs = compare_configs(args)
    except (ValueError, TypeError) as error:
        print(f"glassnet compare: {error}", file=sys.stderr)
        return 2
    return _run_experiments(args, lambda progress: lab.compare(
        configs, seeds=args.seeds, out=args.out, jobs=args.jobs, scheduler=args.scheduler,
        lang=args.lang, progress=progress, **_safety(args)))


def _safety(args):
    return {"force": args.force, "yes": args.yes,
            "tls": (args.tls_ca, args.tls_cert, args.tls_key)}


def _run_experiments(args, start):
    """Run with a progress bar; SIGTERM stops the workers as Ctrl-C does (stored trials
    stay); the last line printed says how many trials ran and where the report is."""
    import signal

    from .lab.runner import ProgressBar, TrialError

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        result = start(ProgressBar())
    except (ValueError, ImportError, OSError) as error:    # OSError: an unwritable --out
        print(f"glassnet {args.command}: {error}", file=sys.stderr)
        return 2
    except (TrialError, RuntimeError) as error:
        print(f"glassnet {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nglassnet {args.command}: interrupted; finished trials are kept in "
              f"{args.out}/trials and the same command continues from there.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(result.summary())
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
    if args.command == "lab":
        return _run_lab(args)
    if args.command == "compare":
        return _run_compare(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
