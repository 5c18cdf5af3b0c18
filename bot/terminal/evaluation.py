"""`seedbot eval`: quality figures and calibrations, printed as tables or JSON."""

from __future__ import annotations

import json

from retrieval.evaluation import evaluate as ev
from retrieval.evaluation import support_calibration


def run_eval(service, args) -> int:
    """Score the question sets (or sweep a threshold) and print the result."""
    paths = ev.question_sets(args.question_sets)
    service.warm_up(background=False)
    if args.calibrate_support:
        result = support_calibration.calibration(service, paths)
        _print(result, args.json, ("threshold", "kept", "dropped"), "right_kept  wrong_rejected")
        return 0
    report = ev.evaluate(service, [c for path in paths for c in ev.load_cases(path)])
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


def _print(result: dict, as_json: bool, columns: tuple[str, ...], heading: str) -> None:
    if as_json:
        print(json.dumps(result))
        return
    print(f"threshold  {heading}")
    for row in result["sweep"]:
        print(f"{row[columns[0]]:9.2f}  " + "  ".join(f"{row[c]:14.3f}" for c in columns[1:]))
    print(json.dumps({k: v for k, v in result.items() if k != "sweep"}, indent=1))
