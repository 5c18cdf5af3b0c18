"""`seedbot eval`: quality figures, calibrations and the refusal model's fit, printed.

A question set with a `corpus/` folder beside it (eval/howtos/) is answered from an index
of that folder, kept under the store folder's parent; the others from the configured corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from retrieval.assembly import build_service
from retrieval.evaluation import evaluate as ev
from retrieval.evaluation import support_calibration
from retrieval.settings import Settings


def run_eval(settings: Settings, args) -> int:
    """Score the question sets (or sweep a threshold, or fit the refusal model) and print it."""
    paths = ev.question_sets(args.question_sets)
    if args.calibrate_support:
        service = _service(settings, None)
        result = support_calibration.calibration(service, paths)
        _print(result, args.json, ("threshold", "kept", "dropped"), "right_kept  wrong_rejected")
        return 0
    if getattr(args, "fit_selection", False):
        print(json.dumps(_fit_selection(settings, paths), indent=1))
        return 0
    if getattr(args, "fit", False):
        from retrieval.evaluation.fit import fit_and_save

        sets = list(_outcomes(settings, paths, measure_all=True))
        features = args.fit_features.split(",") if getattr(args, "fit_features", None) else None
        print(json.dumps(fit_and_save(sets, args.fit_out, features), indent=1))
        return 0
    report = ev.Report([o for _, outcomes in _outcomes(settings, paths) for o in outcomes])
    if args.calibrate:
        result = ev.calibration(report.outcomes)
        columns = ("threshold", "correct_refusal_rate", "wrong_refusal_rate")
        _print(result, args.json, columns, "correct_refusals  wrong_refusals")
        return 0
    figures = report.figures()
    if args.json:
        print(json.dumps(figures))
        return 0
    for key, value in figures.items():
        print(f"{key:>24}: {value:.3f}" if isinstance(value, float) else f"{key:>24}: {value}")
    misses = [o.case.id for o in report.outcomes if o.case.answerable and not o.first_hit]
    print(f"{'not retrieved (top 10)':>24}: {', '.join(misses) or 'none'}")
    return 0


def _fit_selection(settings: Settings, paths: list[Path]) -> dict:
    from retrieval.evaluation import selection

    trials, services = [], {}
    for path in paths:
        corpus = ev.corpus_of(path)
        if corpus not in services:
            services[corpus] = _service(settings, corpus)
        name = corpus.parent.name if corpus else "seeds"
        trials += selection.prepared(services[corpus].stages, name, ev.load_cases(path))
    return selection.fit_selection(trials, settings.answer_sentences)


def _outcomes(
    settings: Settings, paths: list[Path], measure_all: bool = False
) -> Iterator[tuple[Path, list[ev.Outcome]]]:
    """Each set's outcomes, answered from the index of its own corpus."""
    services: dict[Path | None, object] = {}
    for path in paths:
        corpus = ev.corpus_of(path)
        if corpus not in services:
            services[corpus] = _service(settings, corpus, measure_all)
        yield path, ev.evaluate(services[corpus], ev.load_cases(path)).outcomes


def _service(settings: Settings, corpus: Path | None, measure_all: bool = False):
    if corpus is not None:
        store = settings.store_dir.parent / f"eval-{corpus.parent.name}"
        settings = settings.replace(corpus_dir=corpus, store_dir=store)
    service = build_service(settings, measure_all=measure_all)
    service.ensure_index()
    service.warm_up(background=False)
    return service


def _print(result: dict, as_json: bool, columns: tuple[str, ...], heading: str) -> None:
    if as_json:
        print(json.dumps(result))
        return
    print(f"threshold  {heading}")
    for row in result["sweep"]:
        print(f"{row[columns[0]]:9.2f}  " + "  ".join(f"{row[c]:14.3f}" for c in columns[1:]))
    print(json.dumps({k: v for k, v in result.items() if k != "sweep"}, indent=1))
