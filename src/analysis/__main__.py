"""Command line: `python -m analysis validate|build|dictionary|datapackage|readme|article`.

Errors are messages, never tracebacks."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from . import paths


def _validate(args: argparse.Namespace) -> int:
    from .validation import validate

    problems = validate(args.data)
    folder = paths.data_dir(args.data)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{folder}: the dataset is valid")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import BuildError, build, skip_iri_grammar

    skip_iri_grammar()
    try:
        report = build(args.data, args.out, force=args.force, jobs=args.jobs, parameter_options=args.parameter,
                       timeout=args.timeout)
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        print("the previous outputs are untouched", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        print("\nbuild interrupted; the previous outputs are untouched", file=sys.stderr)
        return 128 + getattr(interrupt, "signal_number", signal.SIGINT)
    for line in report.recovered:
        print(f"build: {line}", file=sys.stderr)
    for line in report.repaired:
        print(f"build: repaired: {line}", file=sys.stderr)
    if report.executed:
        print(f"build: executed {len(report.executed)} notebook run(s), reused {len(report.skipped)}, "
              f"in {report.seconds:.1f} s")
    else:
        done = "repaired" if report.repaired else "site re-rendered"
        rendered = done if report.site_rendered else "nothing changed"
        print(f"build: {rendered} ({len(report.skipped)} notebook runs up to date), {report.seconds:.2f} s")
    return 0


def _generated(args: argparse.Namespace, file_name: str, render, command: str) -> int:
    """Write a file generated from the contract, or with --check say whether the committed one is current."""
    target = paths.DATA_DIR / file_name
    text = render()
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run python -m analysis {command}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    from .dictionary import render_dictionary

    return _generated(args, "DICTIONARY.md", render_dictionary, "dictionary")


def _datapackage(args: argparse.Namespace) -> int:
    from .datapackage import PACKAGE_FILE, render_data_package

    return _generated(args, PACKAGE_FILE, render_data_package, "datapackage")


def _readme(args: argparse.Namespace) -> int:
    from .data import load_dataset
    from .readme import with_key_finding

    target = paths.PROJECT_ROOT / "README.md"
    current = target.read_text(encoding="utf-8")
    try:
        text = with_key_finding(current, load_dataset())
    except ValueError as error:
        print(f"readme: {error}", file=sys.stderr)
        return 1
    if args.check:
        if text != current:
            print(f"{target}: its key finding is not what the data say: run python -m analysis readme",
                  file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote the key finding of {target}")
    return 0


def _article(args: argparse.Namespace) -> int:
    from . import articles

    try:
        if args.step == "add":
            article_id, folder = articles.add(args.path, args.url, args.title, args.accessed, args.site or "",
                                              args.data, args.kind)
            print(f"registered {article_id}; its work folder is {folder}\n"
                  f"next: write its claims in {folder / articles.WORKSHEET} (one row per claim, in your own words, "
                  f"under its section), describe the page in {folder / articles.SOURCE_ROW}, then run\n"
                  f"  python -m analysis article check {article_id}")
            return 0
        report = (articles.merge if args.step == "merge" else articles.check)(args.id, args.data, args.text)
    except articles.ArticleError as error:
        print(f"article {args.step}: {error}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(f"note: {note}")
    if args.step == "merge":
        print(f"merged {args.id}: {len(report.claims)} claims, {len(report.settled)} settled disagreements; run "
              "`make figures` to rebuild the pages")
        return 0
    if report.missing:
        print(f"{args.id}: {len(report.missing)} thing(s) before it counts:", file=sys.stderr)
        for item in report.missing:
            print(f"  {item}", file=sys.stderr)
        return 1
    print(f"{args.id}: ready ({len(report.claims)} claims rated twice, disagreements settled); merge it with\n"
          f"  python -m analysis article merge {args.id}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .workers import DEFAULT_TIMEOUT

    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check the dataset; exit 1 with messages if invalid")
    check.add_argument("--data", type=Path, help="dataset folder (default: data/)")
    check.set_defaults(handler=_validate)
    make = commands.add_parser("build", help="validate, run the notebooks with papermill, render the site")
    make.add_argument("--data", type=Path, help="dataset folder (default: data/)")
    make.add_argument("--out", type=Path, help="output folder (default: outputs/)")
    make.add_argument("--force", action="store_true", help="re-run every notebook even if nothing changed")
    make.add_argument("--jobs", type=int, help="notebooks run side by side (default: number of cores)")
    make.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                      help=f"stop and fail the build when a cell runs longer (default: {DEFAULT_TIMEOUT})")
    make.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                      help="set a notebook parameter, e.g. -p population=adults (builds only that population)")
    make.set_defaults(handler=_build)
    words = commands.add_parser("dictionary", help="write data/DICTIONARY.md from data/schema.json")
    words.add_argument("--check", action="store_true", help="exit 1 if DICTIONARY.md is out of date")
    words.set_defaults(handler=_dictionary)
    package = commands.add_parser("datapackage", help="write data/datapackage.json (a Frictionless data package) "
                                  "from data/schema.json and data/CHANGELOG.md")
    package.add_argument("--check", action="store_true", help="exit 1 if datapackage.json is out of date")
    package.set_defaults(handler=_datapackage)
    readme = commands.add_parser("readme", help="write README.md's key finding from the data")
    readme.add_argument("--check", action="store_true", help="exit 1 if the README's key finding is out of date")
    readme.set_defaults(handler=_readme)
    article = commands.add_parser("article", help="audit a new web article: add, check, merge")
    steps = article.add_subparsers(dest="step", required=True)
    add = steps.add_parser("add", help="register an article from a saved text or HTML file")
    add.add_argument("path", type=Path, help="the article's text as audited (.txt or .html; never committed)")
    add.add_argument("--url", required=True, help="the article's published address")
    add.add_argument("--title", required=True, help="its title as published")
    add.add_argument("--accessed", required=True, help="the date the text was read, YYYY-MM-DD")
    add.add_argument("--site", help="the site's name, e.g. the clinic or magazine")
    add.add_argument("--kind", default="web_article", help="web_article (default) or seed_article")
    for name, words in (("check", "report what is missing before the article counts, and write the next sheet"),
                        ("merge", "append a checked article to the dataset's tables")):
        step = steps.add_parser(name, help=words)
        step.add_argument("id", help="the article's id, as `add` printed it")
        step.add_argument("--text", type=Path, help="the audited text, if not where `add` read it")
    for step in steps.choices.values():
        step.add_argument("--data", type=Path, help="dataset folder (default: data/)")
    article.set_defaults(handler=_article)
    args = parser.parse_args(argv)
    from .schema import SchemaError

    try:
        return args.handler(args)
    except SchemaError as error:
        print(f"the dataset's contract is broken: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
