"""`snnc bench`: the speed of the generated C, measured side by side with what
a user would otherwise run (the reference lowering's C, a dense numpy step).

Everything is measured in one invocation, interleaved, and medians are
reported; ratios are taken within the run, never against stored numbers.
"""
from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import tempfile
import time
from typing import Dict, List, Optional

import numpy as np

from . import api
from . import emit as c_emitter
from .errors import SNNCError
from .frontend.graph import load_graph
from .nodes import SYNAPSES

BENCH_CFLAGS = ["-std=c11", "-ffp-contract=off"]
DEFAULT_OPT_FLAGS = "-O2"
# The neurons the dense numpy step and the snnTorch step implement (with
# dense synapses between them).
NUMPY_NEURONS = ("lif", "li", "if")
SNNTORCH_NEURONS = ("lif",)


def _build(model_path, tmp, tag, optimize, cc, options, opt_flags=DEFAULT_OPT_FLAGS,
           defines=()):
    generated = api.generate_c(model_path, name="model", optimize=optimize, **options)
    directory = os.path.join(tmp, tag)
    api.write_files(generated.files(), directory)
    exe = os.path.join(directory, "bench")
    cmd = [cc, *BENCH_CFLAGS, *opt_flags.split(), *defines, f"-I{directory}",
           '-DSNNC_MODEL_HEADER="model.h"',
           "-DSNNC_MODEL=model", "-DSNNC_NUM_INPUTS=MODEL_NUM_INPUTS",
           "-DSNNC_NUM_OUTPUTS=MODEL_NUM_OUTPUTS", "-fstack-usage",
           os.path.join(directory, "model.c"),
           os.path.join(api.runtime_dir(), "snnc_bench_harness.c"), "-o", exe]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=directory)
    if result.returncode != 0:
        raise SNNCError(f"the benchmark did not compile:\n{result.stderr}")
    return exe, step_stack_bytes(directory, "model"), generated


def step_stack_bytes(directory, name) -> Optional[int]:
    """The stack of NAME_step plus the computation it calls (when the
    compiler did not inline it), from the files gcc's -fstack-usage wrote
    in `directory`; None if they do not name the step."""
    stack = None
    for file_name in os.listdir(directory):
        if file_name.endswith(".su"):
            for line in open(os.path.join(directory, file_name)):
                function = line.split("\t")[0].rsplit(":", 1)[-1]
                if function in (f"{name}_step", f"{name}_step_compute"):
                    stack = (stack or 0) + int(line.split("\t")[1])
    return stack


def _run(exe, steps, rate, runs, seed):
    result = subprocess.run([exe, str(steps), str(rate), str(runs), str(seed)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SNNCError(f"the benchmark failed: {result.stderr.strip()}")
    times, bandwidths = [], {}
    for line in result.stdout.splitlines():
        key, value = line.split()
        if key == "step_us":
            times.append(float(value))
        else:  # bandwidth_gbs, cache_bandwidth_gbs
            bandwidths[key] = float(value)
    return times, bandwidths


def _numpy_dense_step(graph, options, steps, rate, seed):
    """Microseconds per step of a dense numpy step (matrix-vector products and
    vectorized neuron updates), or None if the graph is not a chain of dense
    synapses and LIF/LI/IF neurons."""
    kinds = [layer.kind for layer in graph.layers]
    if any(k not in SYNAPSES + NUMPY_NEURONS for k in kinds) or \
            any(len(layer.sources) != 1 for layer in graph.layers):
        return None
    dtype = np.float32 if options.precision == "f32" else np.float64
    dt = options.dt
    layers = []
    for layer in graph.layers:
        p = layer.params
        if layer.kind in SYNAPSES:
            layers.append(("syn", p["weight"].astype(dtype),
                           p.get("bias", np.zeros(p["weight"].shape[0])).astype(dtype)))
        else:
            tau = p.get("tau", np.full(layer.out_shape, np.inf))
            decay = (1 - dt / tau).astype(dtype)
            gain = (p["r"] * dt / tau if layer.kind != "if" else p["r"] * dt).astype(dtype)
            thr = p.get("v_threshold", np.full(layer.out_shape, np.inf)).astype(dtype)
            layers.append(("neuron", decay, gain, thr))
    rng = np.random.default_rng(seed)
    n_in = int(np.prod(graph.input_shape))
    inputs = (rng.random((steps, n_in)) < rate).astype(dtype)
    state = [np.zeros(np.prod(layer.out_shape), dtype) for layer in graph.layers]
    start = time.perf_counter()
    for t in range(steps):
        x = inputs[t]
        for k, spec in enumerate(layers):
            if spec[0] == "syn":
                x = spec[1] @ x + spec[2]
            else:
                v = spec[1] * state[k] + spec[2] * x
                s = v > spec[3]
                state[k] = np.where(s, 0, v)
                x = s.astype(dtype)
    return 1e6 * (time.perf_counter() - start) / steps


def _snntorch_step(graph, options, steps, rate, seed):
    """Microseconds per step of the same network in snnTorch (nn.Linear and
    snn.Leaky, one thread, no autograd, batch 1) - what a user would run
    without a compiler - or None if torch/snnTorch are not installed or the
    graph is not a chain of dense synapses and LIF neurons."""
    kinds = [layer.kind for layer in graph.layers]
    if any(k not in SYNAPSES + SNNTORCH_NEURONS for k in kinds) or \
            any(len(layer.sources) != 1 for layer in graph.layers):
        return None
    try:
        import snntorch
        import torch
    except ImportError:
        return None
    dtype = torch.float32 if options.precision == "f32" else torch.float64
    modules = []
    for layer in graph.layers:
        p = layer.params
        if layer.kind in SYNAPSES:
            out_features, in_features = p["weight"].shape
            linear = torch.nn.Linear(in_features, out_features, bias="bias" in p, dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.as_tensor(np.asarray(p["weight"], np.float64)))
                if "bias" in p:
                    linear.bias.copy_(torch.as_tensor(np.asarray(p["bias"], np.float64)))
            modules.append(linear)
        else:
            decay = 1 - options.dt / np.asarray(p["tau"], np.float64)
            modules.append(snntorch.Leaky(
                beta=torch.as_tensor(decay, dtype=dtype),
                threshold=float(np.max(p["v_threshold"])),
                reset_mechanism="zero" if options.reset == "value" else "subtract"))
    rng = np.random.default_rng(seed)
    n_in = int(np.prod(graph.input_shape))
    inputs = torch.as_tensor((rng.random((steps, n_in)) < rate), dtype=dtype)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            membranes = [None] * len(modules)
            start = time.perf_counter()
            for t in range(steps):
                x = inputs[t]
                for k, module in enumerate(modules):
                    if isinstance(module, torch.nn.Linear):
                        x = module(x)
                    else:
                        if membranes[k] is None:
                            membranes[k] = torch.zeros_like(x)
                        x, membranes[k] = module(x, membranes[k])
            elapsed = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    return 1e6 * elapsed / steps


# What the PyTorch step of a convolutional network implements.
PYTORCH_KINDS = ("conv1d", "conv2d", "sumpool2d", "avgpool2d", "flatten", "affine", "linear",
                 "if")


def _pytorch_modules(graph, options, torch):
    """The network as PyTorch calls (F.conv2d, avg_pool2d, linear, and IF
    neurons with a subtracting reset, as Sinabs' IAF computes them), one
    function per layer taking (x, state) -> (y, state); None if the graph is
    not a chain of these or the options ask for other neurons."""
    import torch.nn.functional as F
    if options.reset != "subtract" or options.compare != "ge" or \
            any(layer.kind not in PYTORCH_KINDS or len(layer.sources) != 1
                for layer in graph.layers) or \
            not any(layer.kind in ("conv1d", "conv2d") for layer in graph.layers):
        return None
    dtype = torch.float32 if options.precision == "f32" else torch.float64

    def tensor(values):
        return torch.as_tensor(np.asarray(values, np.float64), dtype=dtype)

    layers = []
    for layer in graph.layers:
        p, kind = layer.params, layer.kind
        if kind in ("conv1d", "conv2d"):
            conv = F.conv2d if kind == "conv2d" else F.conv1d
            weight, bias = tensor(p["weight"]), tensor(p["bias"])
            args = dict(stride=tuple(map(int, p["stride"])), padding=tuple(map(int, p["padding"])),
                        dilation=tuple(map(int, p["dilation"])), groups=int(p["groups"]))
            layers.append(lambda x, s, conv=conv, w=weight, b=bias, a=args:
                          (conv(x[None], w, b, **a)[0], s))
        elif kind in ("sumpool2d", "avgpool2d"):
            kernel = tuple(map(int, p["kernel"]))
            scale = float(np.prod(kernel)) if kind == "sumpool2d" else 1.0
            args = dict(kernel_size=kernel, stride=tuple(map(int, p["stride"])),
                        padding=tuple(map(int, p["padding"])), count_include_pad=True)
            layers.append(lambda x, s, a=args, k=scale: (F.avg_pool2d(x[None], **a)[0] * k, s))
        elif kind == "flatten":
            layers.append(lambda x, s, shape=tuple(layer.out_shape): (x.reshape(shape), s))
        elif kind in ("affine", "linear"):
            weight = tensor(p["weight"])
            bias = tensor(p["bias"]) if "bias" in p else None
            layers.append(lambda x, s, w=weight, b=bias: (F.linear(x, w, b), s))
        else:  # if: v += r x; spikes where v >= threshold, subtracted
            if not np.all(np.asarray(p["r"]) == 1):
                return None
            threshold = tensor(p["v_threshold"])
            multiple = options.spikes == "multiple"

            def fire(x, v, thr=threshold, multiple=multiple):
                v = x if v is None else v + x
                spikes = torch.clamp(torch.floor(v / thr), min=0) if multiple \
                    else (v >= thr).to(v.dtype)
                return spikes, v - spikes * thr
            layers.append(fire)
    return layers, dtype


def _pytorch_step(graph, options, steps, rate, seed):
    """Microseconds per step of the same convolutional network in PyTorch
    (one thread, no autograd, batch 1) - what a user of Sinabs or snnTorch
    runs without a compiler - or None if torch is not installed or the
    network is not a chain _pytorch_modules covers. Before timing, its
    float64 outputs over 20 steps must equal snnc's reference simulator's,
    or it is not reported (it would not be the same network)."""
    try:
        import torch
    except ImportError:
        return None
    from . import reference
    built = _pytorch_modules(graph, options, torch)
    if built is None:
        return None
    layers, dtype = built
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in graph.input_shape)
    spikes = (rng.random((steps,) + shape) < rate).astype(np.float64)

    def run(inputs, count):
        states = [None] * len(layers)
        outputs = []
        for t in range(count):
            x = inputs[t]
            for k, layer in enumerate(layers):
                x, states[k] = layer(x, states[k])
            outputs.append(x)
        return outputs

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            check = min(steps, 20)
            f64_options = dataclasses.replace(options, precision="f64")
            f64_layers, _ = _pytorch_modules(graph, f64_options, torch)
            saved, layers = layers, f64_layers
            got = run(torch.as_tensor(spikes[:check]), check)
            layers = saved
            expected = reference.simulate(graph, f64_options, spikes[:check].reshape(check, -1))
            if not np.array_equal(np.stack([g.reshape(-1).numpy() for g in got]), expected):
                return None
            inputs = torch.as_tensor(spikes, dtype=dtype)
            start = time.perf_counter()
            run(inputs, steps)
            elapsed = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    return 1e6 * elapsed / steps


def bench(model_path, *, steps=1000, rate=0.2, runs=5, rounds=3, seed=1, cc=None,
          calibrate=None, cflags=DEFAULT_OPT_FLAGS, **options) -> Dict:
    """Measures and returns the figures (see `format_report`). A float model is
    also built at int8 (when the quantizer supports the graph) and timed in
    the same rounds. `cflags`: the optimization flags of the C builds."""
    opts = api._options(path=model_path, **options)
    graph = load_graph(model_path)
    cc = cc or os.environ.get("CC") or "cc"
    with tempfile.TemporaryDirectory() as tmp:
        build_options = dict(options, calibrate=calibrate)
        optimized, stack, generated = _build(model_path, tmp, "opt", True, cc, build_options,
                                             cflags)
        state_bytes = generated.state.field_bytes
        # Weights are stored in the quantization format's width, or as floats
        # of the precision (the type the C computes in).
        weight_element = c_emitter.weight_element_bytes(opts.precision)
        reference, _, _ = _build(model_path, tmp, "ref", False, cc, build_options, cflags)
        events = None
        if generated.step_events:
            events, _, _ = _build(model_path, tmp, "events", True, cc, build_options, cflags,
                                  defines=["-DSNNC_STEP_EVENTS"])
        int8 = int8_arithmetic = None
        if opts.precision in ("f32", "f64"):
            int8_options = dict(options, precision="int8")
            try:
                int8, _, _ = _build(model_path, tmp, "int8", True, cc, int8_options, cflags)
            except SNNCError:
                int8 = None  # a graph the quantizer does not support yet
            else:
                int8_opts = api._options(path=model_path, **int8_options)
                int8_arithmetic = api.integer_arithmetic(
                    graph, int8_opts, api.quantization_plan(graph, int8_opts, model_path))
        samples: Dict[str, List[float]] = {"optimized": [], "reference": [], "numpy": [],
                                           "int8": [], "snntorch": [], "events": [],
                                           "pytorch": []}
        bandwidths: Dict[str, List[float]] = {}
        for _ in range(rounds):  # interleaved, so drift affects all alike
            times, measured = _run(optimized, steps, rate, runs, seed)
            samples["optimized"] += times
            for key, value in measured.items():
                bandwidths.setdefault(key, []).append(value)
            times, _ = _run(reference, steps, rate, runs, seed)
            samples["reference"] += times
            if events is not None:
                samples["events"] += _run(events, steps, rate, runs, seed)[0]
            if int8 is not None:
                samples["int8"] += _run(int8, steps, rate, runs, seed)[0]
            dense = _numpy_dense_step(graph, opts, min(steps, 300), rate, seed)
            if dense is not None:
                samples["numpy"].append(dense)
            framework = _snntorch_step(graph, opts, min(steps, 300), rate, seed)
            if framework is not None:
                samples["snntorch"].append(framework)
            conv_framework = _pytorch_step(graph, opts, min(steps, 300), rate, seed)
            if conv_framework is not None:
                samples["pytorch"].append(conv_framework)
    medians = {k: statistics.median(v) for k, v in samples.items() if v}
    memory, cache = (statistics.median(bandwidths[k])
                     for k in ("bandwidth_gbs", "cache_bandwidth_gbs"))
    # Weight bytes a step reads, at most: the rows of the active inputs of the
    # first synapse (at the input rate), all rows of the others.
    touched = 0.0
    first = True
    for layer in graph.layers:
        if "weight" in layer.params:
            size = int(np.prod(layer.params["weight"].shape)) * weight_element
            touched += size * (rate if first else 1.0)
            first = False
    read_rate = touched / (medians["optimized"] * 1e-6) / 1e9
    report = {
        "model": os.path.basename(os.fspath(model_path)),
        "options": opts.describe(), "cflags": cflags, "steps": steps, "rate": rate,
        "us_per_step": medians,
        "ratios": {f"{k}/optimized": medians[k] / medians["optimized"]
                   for k in medians if k != "optimized"},
        "weight_bytes_read_per_step_upper_bound": touched,
        "weight_read_rate_gbs": read_rate,
        "memory_bandwidth_gbs": memory,
        "cache_bandwidth_gbs": cache,
        "bytes": {"constants": generated.constant_bytes, "state": state_bytes,
                  "scratch": generated.state.scratch_bytes, "stack_of_step": stack},
    }
    if int8_arithmetic is not None:
        chosen = list(int8_arithmetic.neurons.values()) + list(int8_arithmetic.rescales.values())
        report["int8_ops_in_64_bit"] = [sum(width == 64 for width, _ in chosen), len(chosen)]
    return report


def format_report(report: Dict) -> str:
    m = report["us_per_step"]
    lines = [f"{report['model']}: {report['steps']} steps, input rate {report['rate']:g}, "
             f"{report['options']}, C built with {report['cflags']}",
             "                     us/step (median)   x optimized"]
    for key, label in (("optimized", "optimized C"), ("events", "NAME_step_events"),
                       ("reference", "reference-lowering C"),
                       ("numpy", "dense numpy step"), ("int8", "optimized C, int8"),
                       ("snntorch", "snnTorch, 1 thread"), ("pytorch", "PyTorch, 1 thread")):
        if key in m:
            ratio = m[key] / m["optimized"]
            lines.append(f"  {label:20s} {m[key]:14.3f}   {ratio:8.2f}")
    rate, memory, cache = (report[k] for k in ("weight_read_rate_gbs", "memory_bandwidth_gbs",
                                                "cache_bandwidth_gbs"))
    where = ("faster than memory streams (its weights come from cache)" if rate > memory
             else "within what memory streams")
    lines.append(f"  weights read per step <= "
                 f"{report['weight_bytes_read_per_step_upper_bound']:.0f} B, at most "
                 f"{rate:.2f} GB/s at this speed: {where}; measured in the same run, "
                 f"memory streams {memory:.2f} GB/s and L1 cache {cache:.2f} GB/s")
    if "int8" in m and m["int8"] > m["optimized"]:
        wide, total = report.get("int8_ops_in_64_bit", [0, 0])
        cached = ("its weights come from cache at this size, so int8's smaller weights save "
                  "no memory traffic, while " if rate > memory else "")
        lines.append(f"  int8 is slower than {report['options'].split()[0].split('=')[1]} "
                     f"on this model ({m['int8']:.3f} vs {m['optimized']:.3f} us/step): "
                     f"{cached}each neuron update and rescale adds fixed-point multiplies, "
                     f"rounding and saturation per neuron; {wide} of its {total} neuron "
                     f"updates and rescales run in 64-bit arithmetic (no 64-bit SIMD "
                     f"multiply before AVX-512)")
    b = report["bytes"]
    lines.append(f"  bytes: constants (weights, biases, parameters) {b['constants']}, "
                 f"state {b['state']}, scratch {b['scratch']} (in NAME_state), "
                 f"stack of NAME_step {b['stack_of_step']}")
    return "\n".join(lines)
