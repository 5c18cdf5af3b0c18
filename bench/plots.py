"""PNG plots of the results: latency and memory against corpus size, and quality per pipeline."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI
import matplotlib.pyplot as plt

PIPELINES = (("ours", "our pipeline"), ("vector", "vector (langchain_chroma)"), ("bm25", "BM25"))
QUALITY = (
    ("recall@1", "recall@1"),
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
    ("refusal_accuracy", "refusal accuracy"),
    ("citation_validity", "citation validity"),
)


def write_all(results: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    scales = [s for s in results["scales"] if s.get("layout", "packed") == "packed"]
    return [
        _latency(scales, folder / "latency.png"),
        _memory(scales, folder / "memory.png"),
        _quality(results["quality"]["seeds"], folder / "quality.png"),
        _quality_by_size(results["quality"], folder / "quality-by-size.png"),
    ]


def _latency(scales: list[dict], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    x = [s["passages"] for s in scales]
    for stage, style in (("total", "o-"), ("retrieve", "s-"), ("answer", "^-"), ("embed", "v-")):
        ax.plot(x, [s["latency_ms"][stage]["p50"] for s in scales], style, label=f"{stage} p50")
    ax.plot(
        x,
        [s["latency_ms"]["total"]["p95"] for s in scales],
        "o--",
        color="C0",
        alpha=0.6,
        label="total p95",
    )
    ax.scatter([x[0]], [50], marker="_", s=400, color="red", label="target p50 (seeds: 50 ms)")
    if x[-1] >= 100_000:
        ax.scatter(
            [x[-1]], [150], marker="_", s=400, color="darkred", label="target p50 (100k: 150 ms)"
        )
    _log_x(ax, x)
    ax.set_yscale("log")  # stages of a few ms and targets of 50-150 ms on one readable axis
    ax.set_ylabel("milliseconds per answer (log scale)")
    ax.set_title("Answer latency of `seedbot ask` after start-up")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _memory(scales: list[dict], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    x = [s["passages"] for s in scales]
    rss = [s["peak_rss_mb"]["p50"] for s in scales]
    ax.plot(x, rss, "o-", label="peak RSS of the answering process")
    first = [s["first_process"]["peak_rss_mb"] for s in scales]
    ax.plot(x, first, "o:", color="C0", alpha=0.6, label="the same, first start (builds BM25)")
    ax.plot(x, [s["disk_mb"] for s in scales], "s-", label="index on disk")
    ax.axhline(700e6 / 2**20, color="red", linestyle=":", label="RSS target (100k: 700 MB)")
    _log_x(ax, x)
    ax.set_yscale("log")
    ax.set_ylabel("MiB (log scale)")
    ax.set_title("Memory and disk against corpus size")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _quality(figures: dict, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    present = [(key, label) for key, label in PIPELINES if key in figures]
    width = 0.8 / len(present)
    for n, (key, label) in enumerate(present):
        xs = [i + (n - (len(present) - 1) / 2) * width for i in range(len(QUALITY))]
        values = [figures[key][metric] for metric, _ in QUALITY]
        bars = ax.bar(xs, values, width, label=label)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, padding=1)
    ax.set_xticks(range(len(QUALITY)), [label for _, label in QUALITY])
    ax.set_ylim(0, 1.25)
    ax.set_title("Quality on eval/questions.jsonl (seed corpus)")
    ax.legend(fontsize=8, loc="upper center", ncol=len(present), frameon=False)
    return _save(fig, path)


def _quality_by_size(quality: dict, path: Path) -> Path:
    """Recall@5 and refusal accuracy as distractor passages are added around the seeds."""
    sizes = list(quality)
    labels = ["seeds" if s == "seeds" else f"{int(s):,}" for s in sizes]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for key, name in PIPELINES:
        for metric, style in (("recall@5", "o-"), ("refusal_accuracy", "s--")):
            points = [
                (i, quality[s][key][metric]) for i, s in enumerate(sizes) if key in quality[s]
            ]
            if points:
                xs, ys = zip(*points)
                color = f"C{[k for k, _ in PIPELINES].index(key)}"
                ax.plot(xs, ys, style, color=color, label=f"{name}: {metric}")
    ax.set_xticks(range(len(sizes)), labels)
    ax.set_xlabel("passages in the index (the seeds plus documentation)")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.set_title("Quality as the index grows around the seeds")
    ax.legend(fontsize=7, loc="lower left")
    return _save(fig, path)


def _log_x(ax, x: list[int]) -> None:
    if len(x) > 1:
        ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:,}" for v in x])
    ax.minorticks_off()
    ax.set_xlabel("passages in the index")
    ax.grid(alpha=0.3)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
