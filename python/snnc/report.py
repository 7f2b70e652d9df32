"""`snnc quantize-report`: what an integer model costs and saves, side by side
with f32, measured against the float64 reference.

Each precision's outputs come from the numpy reference for that precision:
float32 (which the generated f32 C equals bit for bit) and the integer
reference (which the generated int8/int16 C equal bit for bit; the tests hold
both to it). Byte counts are those of the generated C (emit.GeneratedC).
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

import numpy as np

from . import api
from . import emit as c_emitter
from .errors import SNNCError
from .frontend.graph import load_graph

PRECISIONS = ("f32", "int16", "int8")
def _weight_bytes(graph, precision: str) -> int:
    """Bytes of the weight matrices at `precision`."""
    per_weight = c_emitter.weight_element_bytes(precision)
    return sum(int(np.asarray(layer.params["weight"]).size) * per_weight
               for layer in graph.layers if "weight" in layer.params)


def _is_spiking(outputs: np.ndarray) -> bool:
    return bool(np.all((outputs == 0) | (outputs == 1)))


def measure(model_path, inputs, labels=None, calibrate=None, **options) -> dict:
    """Per precision: bytes, agreement with the float64 reference, spike-count
    error and (with labels) accuracy; plus the outputs, for plotting."""
    options.pop("precision", None)
    graph = load_graph(model_path)
    inputs = api._as_sequences(inputs, graph.input_shape)
    if inputs.ndim == 2:
        inputs = inputs[None]
    api._check_integer_inputs(inputs)
    if labels is not None:
        labels = np.asarray(labels).reshape(-1)
        if labels.shape[0] != inputs.shape[0]:
            raise SNNCError(f"{labels.shape[0]} labels for {inputs.shape[0]} input sequences",
                            path="labels")
    reference_out = api.run(model_path, inputs, backend="reference", precision="f64", **options)
    spiking = _is_spiking(reference_out)
    rows: List[dict] = []
    outputs = {"f64": reference_out}
    for precision in PRECISIONS:
        generated = api.generate_c(model_path, name="model", precision=precision,
                                   calibrate=calibrate if precision.startswith("int") else None,
                                   **options)
        out = api.run(model_path, inputs, backend="reference", precision=precision,
                      calibrate=calibrate if precision.startswith("int") else None, **options)
        row = {"precision": precision,
               "weight_bytes": _weight_bytes(graph, precision),
               "constant_bytes": generated.constant_bytes,
               "state_bytes": generated.state.field_bytes}
        if generated.output_scale is not None:  # integers of a membrane readout, in real units
            out = out * generated.output_scale
        outputs[precision] = out
        if spiking:
            row["agreement"] = float(np.mean(out == reference_out))
            ref_counts, counts = reference_out.sum(axis=1), out.sum(axis=1)
            row["spike_count_error"] = float(np.mean(np.abs(counts - ref_counts)))
            row["spike_count_error_relative"] = float(
                np.abs(counts - ref_counts).sum() / max(ref_counts.sum(), 1))
        else:
            scale = float(np.sqrt(np.mean(reference_out ** 2))) or 1.0
            row["rms_error_relative"] = float(np.sqrt(np.mean((out - reference_out) ** 2)) / scale)
        if labels is not None:
            row["accuracy"] = float(np.mean(out.sum(axis=1).argmax(axis=-1) == labels))
        rows.append(row)
    f32 = rows[0]
    for row in rows:
        row["weight_fraction_of_f32"] = row["weight_bytes"] / f32["weight_bytes"] \
            if f32["weight_bytes"] else None
    result = {"model": os.path.basename(os.fspath(model_path)), "spiking_output": spiking,
              "sequences": int(inputs.shape[0]), "steps": int(inputs.shape[1]), "rows": rows}
    if labels is not None:
        result["f64_accuracy"] = float(np.mean(reference_out.sum(axis=1).argmax(axis=-1) == labels))
    return result, outputs


def format_report(report: dict) -> str:
    lines = [f"{report['model']}: {report['sequences']} sequences x {report['steps']} steps, "
             "compared with the float64 reference"]
    spiking = report["spiking_output"]
    header = ["precision", "weights", "of f32", "all constants", "state"]
    header += ["agreement", "count error"] if spiking else ["rms error"]
    if "f64_accuracy" in report:
        header.append("accuracy")
    table = [header]
    for row in report["rows"]:
        cells = [row["precision"], f"{row['weight_bytes']} B",
                 f"{100 * row['weight_fraction_of_f32']:.1f}%",
                 f"{row['constant_bytes']} B", f"{row['state_bytes']} B"]
        if spiking:
            cells += [f"{100 * row['agreement']:.2f}%",
                      f"{row['spike_count_error']:.3f} ({100 * row['spike_count_error_relative']:.2f}%)"]
        else:
            cells.append(f"{100 * row['rms_error_relative']:.3f}%")
        if "accuracy" in row:
            cells.append(f"{100 * row['accuracy']:.2f}%")
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if "f64_accuracy" in report:
        lines.append(f"float64 reference accuracy: {100 * report['f64_accuracy']:.2f}%")
    lines.append("agreement: equal output entries [sequence, t, neuron]; count error: mean "
                 "|spike count - reference| per sequence and output neuron" if spiking else
                 "rms error: root mean square of (output - reference) over that of the reference")
    return "\n".join(lines)


def plot(outputs: Dict[str, np.ndarray], path, spiking: bool, sequence: int = 0) -> None:
    """Output rasters (or traces) of one sequence: the float64 reference against
    each precision; spikes both have in black, reference-only in blue,
    quantized-only in red."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SNNCError("--plot needs matplotlib (pip install 'snnc[report]')") from None
    reference_out = outputs["f64"][sequence].reshape(outputs["f64"].shape[1], -1)
    fig, axes = plt.subplots(len(PRECISIONS), 1, figsize=(8, 2.2 * len(PRECISIONS)),
                             sharex=True, squeeze=False)
    for ax, precision in zip(axes[:, 0], PRECISIONS):
        out = outputs[precision][sequence].reshape(reference_out.shape)
        if spiking:
            both = np.argwhere((out == 1) & (reference_out == 1))
            ref_only = np.argwhere((out == 0) & (reference_out == 1))
            q_only = np.argwhere((out == 1) & (reference_out == 0))
            for points, color, label in ((both, "black", "both"),
                                         (ref_only, "tab:blue", "float64 only"),
                                         (q_only, "tab:red", f"{precision} only")):
                ax.scatter(points[:, 0], points[:, 1], s=8, c=color, marker="|", label=label)
            ax.set_ylabel("neuron")
            ax.legend(loc="upper right", fontsize=7, ncol=3)
        else:
            for neuron in range(reference_out.shape[1]):
                line, = ax.plot(reference_out[:, neuron], lw=1)
                ax.plot(out[:, neuron], lw=1, ls="--", color=line.get_color())
            ax.set_ylabel("output")
        ax.set_title(f"{precision} against the float64 reference (sequence {sequence})",
                     fontsize=9)
    axes[-1, 0].set_xlabel("time step")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def load_labels(path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SNNCError(f"cannot read labels: {exc}", path=path) from None


def quantize_report(model_path, inputs, labels: Optional[np.ndarray] = None, plot_path=None,
                    calibrate=None, **options) -> dict:
    report, outputs = measure(model_path, inputs, labels, calibrate, **options)
    if plot_path is not None:
        plot(outputs, plot_path, report["spiking_output"])
        report["plot"] = os.fspath(plot_path)
    return report
