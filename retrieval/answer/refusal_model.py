"""The refusal model: logistic regression over the policy's features, kept in a small JSON file.

`seedbot eval --fit` writes the file (retrieval/evaluation/fit.py); anyone can refit it on
their own corpus and question set and point REFUSAL_MODEL at the result.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from retrieval.errors import SettingsError

SHIPPED = Path(__file__).with_name("refusal_model.json")
AGAINST = -0.5  # a feature whose weighted value is below this is named as a reason to refuse


@dataclass(frozen=True)
class RefusalModel:
    """P(answerable) = sigmoid(bias + Σ weight · (feature − mean) / scale)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # refuse below this probability
    fitted_on: dict = field(default_factory=dict)  # what it was fitted on, and its CV figures

    def logit(self, values: dict[str, float]) -> float:
        return self.bias + sum(w * z for w, z in zip(self.weights, self._standard(values)))

    def probability(self, values: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, self.logit(values)))))

    def against(self, values: dict[str, float]) -> tuple[str, ...]:
        """The features that weigh most against answering, worst first."""
        pulls = [(w * z, f) for f, w, z in zip(self.features, self.weights, self._standard(values))]
        return tuple(f for pull, f in sorted(pulls) if pull < AGAINST)

    def _standard(self, values: dict[str, float]) -> list[float]:
        return [(values[f] - m) / s for f, m, s in zip(self.features, self.mean, self.scale)]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = SHIPPED) -> RefusalModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                tuple(data["features"]),
                tuple(data["mean"]),
                tuple(data["scale"]),
                tuple(data["weights"]),
                float(data["bias"]),
                float(data["threshold"]),
                data.get("fitted_on", {}),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SettingsError(
                f"REFUSAL_MODEL={path} is not a refusal model written by `seedbot eval --fit` "
                f"({type(exc).__name__})."
            ) from None
