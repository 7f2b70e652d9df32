"""Fuzz targets shared by the tests (bounded) and scripts/fuzz.py (long runs).

Each target turns random choices into a NIR file and asks the compiler for C.
The only acceptable outcomes: C that compiles under strict flags, or an
SNNCError (the one-line message the CLI prints). Anything else, an internal
exception or a crash, is a bug.

Random graphs are also differential: a graph is compiled and run in f32, f64,
int8 and int16 under random presets and options, on random inputs, and the
C must give what the numpy reference simulator gives (`differential`), and
the two must accept and refuse the same graphs.
"""
import os
import subprocess
import tempfile

import nir
import numpy as np

from snnc import SNNCError, api, reference, semantics
from snnc.frontend.graph import load_graph

NODE_KINDS = ["Affine", "Linear", "Scale", "Threshold", "I", "IF", "LI", "LIF", "CubaLI",
              "CubaLIF", "Delay", "Flatten", "Conv2d", "SumPool2d", "AvgPool2d"]
NEURON_KINDS = ["I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"]
# What fits a flat input [n] and an image [C, H, W] (dense synapses read their
# input flat, so they need a flat one; convolution and pooling need an image).
FLAT_KINDS = ["Affine", "Linear", "Scale", "Threshold", "Delay", "Flatten"] + NEURON_KINDS
IMAGE_KINDS = ["Conv2d", "SumPool2d", "AvgPool2d", "Flatten", "Scale", "Threshold",
               "Delay"] + NEURON_KINDS
# Ordinary edge cases, magnitudes beyond float32 and int8/int16 scales (1e30,
# 1e39, 1e300, 1e-30, 1e-300), float64's smallest denormal, and float32's
# largest finite neighbourhood (3.4e38 fits, 1e39 does not).
EDGE_VALUES = [0.0, -1.0, 1.0, 1e-9, 1e9, float("nan"), float("inf"), -float("inf"),
               1e30, 1e39, 1e300, -1e300, 1e-30, 1e-300, 5e-324, 3.4e38]
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wcast-qual", "-Werror"]


class _Values:
    """Parameter arrays for one graph. Most graphs get ordinary values (an
    edge case makes almost any graph invalid, and an invalid graph tests only
    the refusal); one in four is hostile, and then one array in five holds an
    edge case."""

    def __init__(self, draw, dt):
        import hypothesis.strategies as st
        self.st = st
        self.draw = draw
        self.dt = dt
        self.hostile = draw(st.integers(0, 3)) == 3

    def array(self, shape, low, high, exact=(-1.0, -0.5, 0.0, 0.5, 1.0)):
        """Values in [low, high]: one for all (the IR gets a scalar), one per
        element, or per element from `exact` (dyadic numbers: with dt = 1
        sums are exact and membranes land on the threshold, where gt and ge
        part)."""
        st, draw = self.st, self.draw
        if self.hostile and draw(st.integers(0, 4)) == 4:
            return np.full(shape, draw(st.sampled_from(EDGE_VALUES)))
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
        style = draw(st.integers(0, 3))
        if style == 0:
            return np.full(shape, rng.uniform(low, high))
        if style == 1:
            return rng.choice(np.asarray(exact, dtype=np.float64), size=shape)
        return rng.uniform(low, high, shape)

    def tau(self, shape):
        """Time constants of 1.5 to 40 steps, or exactly 2, 4 or 8 steps."""
        return self.array(shape, 1.5 * self.dt, 40 * self.dt,
                          exact=(2 * self.dt, 4 * self.dt, 8 * self.dt))

    def gain(self, shape, tau=None):
        """r (or w_in) giving a per-step input gain r dt / tau in [-0.5, 1.5]."""
        with np.errstate(all="ignore"):
            gain = self.array(shape, -0.5, 1.5, exact=(-0.5, 0.5, 1.0, 1.5))
            return gain * (tau if tau is not None else 1.0) / self.dt

    def threshold(self, shape):
        """Mostly positive thresholds; sometimes negative ones too."""
        low = -0.5 if self.draw(self.st.integers(0, 3)) == 3 else 0.05
        return self.array(shape, low, 1.5, exact=(0.5, 1.0, 1.5))


def _node(draw, kind, shape, values):
    """A node of `kind` for input `shape`; returns (node, output shape). A
    kind that does not fit the shape still gives a node (the compiler must
    refuse it): its output shape is then a guess."""
    import hypothesis.strategies as st
    n = int(np.prod(shape))
    v = values
    if kind in ("Affine", "Linear"):
        m = draw(st.integers(1, 6))
        weight = v.array((m, n), -1.0, 1.0)
        if kind == "Affine":
            return nir.Affine(weight=weight, bias=v.array((m,), -0.5, 0.5)), (m,)
        return nir.Linear(weight=weight), (m,)
    if kind == "Scale":
        return nir.Scale(scale=v.array(shape, -2.0, 2.0)), shape
    if kind == "Threshold":
        return nir.Threshold(threshold=v.array(shape, -0.5, 0.5)), shape
    if kind == "I":
        return nir.I(r=v.gain(shape)), shape
    if kind == "IF":
        return nir.IF(r=v.gain(shape), v_threshold=v.threshold(shape),
                      v_reset=v.array(shape, -0.5, 0.5)), shape
    if kind in ("LI", "LIF"):
        tau = v.tau(shape)
        common = dict(tau=tau, r=v.gain(shape, tau), v_leak=v.array(shape, -0.3, 0.3))
        if kind == "LI":
            return nir.LI(**common), shape
        return nir.LIF(**common, v_threshold=v.threshold(shape),
                       v_reset=v.array(shape, -0.5, 0.5)), shape
    if kind in ("CubaLI", "CubaLIF"):
        tau_syn, tau_mem = v.tau(shape), v.tau(shape)
        common = dict(tau_syn=tau_syn, tau_mem=tau_mem, r=v.gain(shape, tau_mem),
                      v_leak=v.array(shape, -0.3, 0.3), w_in=v.gain(shape, tau_syn))
        if kind == "CubaLI":
            return nir.CubaLI(**common), shape
        return nir.CubaLIF(**common, v_threshold=v.threshold(shape),
                           v_reset=v.array(shape, -0.5, 0.5)), shape
    if kind == "Delay":
        # Whole numbers of steps (others are refused), or, in hostile graphs,
        # whatever the edge values give.
        steps = np.random.default_rng(draw(st.integers(0, 2 ** 16))).integers(0, 4, shape)
        delay = steps * values.dt
        if values.hostile and draw(st.integers(0, 4)) == 4:
            delay = np.abs(v.array(shape, 0.0, 1.0))
        return nir.Delay(delay=delay), shape
    if kind == "Flatten":
        return nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0), (n,)
    image = shape if len(shape) == 3 else (n, 2, 2)
    channels, height, width = image
    if kind == "Conv2d":
        filters, kernel = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
        node = nir.Conv2d(input_shape=(height, width),
                          weight=v.array((filters, channels, kernel, kernel), -1.0, 1.0),
                          stride=stride, padding=padding, dilation=1, groups=1,
                          bias=v.array((filters,), -0.5, 0.5))
        return node, (filters, (height + 2 * padding - kernel) // stride + 1,
                      (width + 2 * padding - kernel) // stride + 1)
    kernel, stride = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = 1 if draw(st.integers(0, 7)) == 7 else 0  # refused: pooling has no padding
    node = getattr(nir, kind)(kernel_size=np.array([kernel, kernel]),
                              stride=np.array([stride, stride]),
                              padding=np.array([padding, padding]))
    return node, (channels, (height - kernel) // stride + 1, (width - kernel) // stride + 1)


def _next_kind(draw, shape, layered, index, count, unfitting):
    """The next node's kind. In a layered graph synapses and neurons alternate
    (the networks people build, and the only ones integer models take):
    spiking neurons feed the next synapse, the last layer may be any neuron.
    Otherwise any kind that fits the shape. In an unfitting graph, one node in
    three is any kind at all."""
    import hypothesis.strategies as st
    if unfitting and draw(st.integers(0, 2)) == 2:
        return draw(st.sampled_from(NODE_KINDS))
    if layered:
        if index % 2 == 1:
            last = index == count - 1
            return draw(st.sampled_from(NEURON_KINDS if last else ["LIF", "IF", "CubaLIF"]))
        if len(shape) == 3:
            return draw(st.sampled_from(["Conv2d", "Flatten"]))
        return draw(st.sampled_from(["Affine", "Linear"]))
    return draw(st.sampled_from(IMAGE_KINDS if len(shape) == 3 else FLAT_KINDS))


def random_graph(draw, path, dt=1e-3):
    """A random small graph: a chain, flat or starting from an image, either
    of any nodes or of synapse-neuron layers, sometimes with an extra edge
    between nodes of the same shape (recurrence, fan-in) or with extra edges
    at random (mostly nonsense). Parameters are drawn for time step `dt`.
    Returns the number of input elements, or 0 if nir could not write it."""
    import hypothesis.strategies as st
    values = _Values(draw, dt)
    if draw(st.integers(0, 3)) == 3:
        in_shape = (draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(2, 4)))
    else:
        in_shape = (draw(st.integers(1, 5)),)
    layered = draw(st.integers(0, 2)) < 2
    unfitting = draw(st.integers(0, 4)) == 4
    count = draw(st.integers(1, 3)) * 2 if layered else draw(st.integers(1, 5))
    nodes = {"input": nir.Input(input_type={"input": np.array(in_shape)})}
    shapes = {"input": (in_shape, in_shape)}  # name -> (input shape, output shape)
    names = []
    shape = in_shape
    for i in range(count):
        kinds = [_next_kind(draw, shape, layered, i, count, unfitting)]
        if layered and kinds == ["Flatten"]:  # a dense synapse after it
            kinds.append(draw(st.sampled_from(["Affine", "Linear"])))
        for kind in kinds:
            try:
                node, out_shape = _node(draw, kind, shape, values)
            except Exception:  # nir's own checks refuse some random choices: nothing to test
                open(path, "wb").close()
                return 0
            name = f"{kind.lower()}{len(names)}"
            nodes[name] = node
            names.append(name)
            shapes[name] = (shape, out_shape)
            shape = out_shape
    if min(shape) < 1:
        shape = (1,)
    nodes["output"] = nir.Output(output_type={"output": np.array(shape)})
    shapes["output"] = (shape, shape)
    chain = ["input"] + names + ["output"]
    edges = list(zip(chain[:-1], chain[1:]))
    extra = draw(st.integers(0, 7))
    if extra in (4, 5, 7):  # recurrence or fan-in that fits
        fitting = [(a, b) for a in chain[:-1] for b in chain[1:]
                   if a != b and (a, b) not in edges and shapes[a][1] == shapes[b][0]]
        if fitting:
            edges.append(draw(st.sampled_from(fitting)))
    if extra in (6, 7):  # anything, a node that does not exist included
        for _ in range(draw(st.integers(1, 2))):
            edges.append((draw(st.sampled_from(chain + ["nowhere"])),
                          draw(st.sampled_from(chain))))
    try:
        nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    except Exception:  # nir cannot write every random choice; nothing to test then
        open(path, "wb").close()
        return 0
    return int(np.prod(in_shape))


# --------------------------------------------------------------------------
# Differential: the C against the numpy reference

PRECISIONS = semantics.PRECISIONS  # f32, f64, int8, int16
PRESETS = tuple(sorted(semantics.PRESETS))
# Options a run may set beside (or instead of) a preset; precision is set per run.
CHOICE_OPTIONS = tuple(sorted(set(semantics.CHOICES) - {"precision"}))


def random_options(draw):
    """A preset (or only a time step) and up to three options over it. Some
    combinations are invalid; the compiler and the reference must both
    refuse those."""
    import hypothesis.strategies as st
    preset = draw(st.sampled_from(PRESETS + (None,)))
    options = {"preset": preset} if preset else {}
    if preset is None or draw(st.integers(0, 5)) == 5:
        options["dt"] = draw(st.sampled_from([1e-4, 1e-3, 1e-2, 1.0]))
    for name in draw(st.lists(st.sampled_from(CHOICE_OPTIONS), max_size=3, unique=True)):
        options[name] = draw(st.sampled_from(semantics.CHOICES[name]))
    return options


def time_step(options):
    """The dt the options give (the graph's parameters are drawn for it)."""
    return options.get("dt") or semantics.PRESETS[options["preset"]]["dt"]


def random_inputs(draw, n_in, integer):
    """[2, T, n_in]: spikes (0 or 1), whole numbers in [-128, 127] (what
    integer models take), or, for float models, real values."""
    import hypothesis.strategies as st
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    shape = (2, draw(st.integers(3, 12)), n_in)
    kind = draw(st.sampled_from(["spikes", "integers"] if integer else
                                ["spikes", "integers", "reals"]))
    if kind == "spikes":
        return (rng.random(shape) < 0.4).astype(np.float64)
    if kind == "integers":
        return rng.integers(-128, 128, shape).astype(np.float64)
    return rng.normal(0.0, 2.0, shape)


def same_values(c, ref):
    """Bit for bit (so -0.0 is not 0.0), except that any NaN equals any NaN."""
    c, ref = np.asarray(c, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if c.shape != ref.shape:
        return False
    c_nan, ref_nan = np.isnan(c), np.isnan(ref)
    return bool(np.array_equal(c_nan, ref_nan) and
                np.array_equal(c[~c_nan].view(np.int64), ref[~ref_nan].view(np.int64)))


def _first_difference(c, ref):
    c, ref = np.asarray(c, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if c.shape != ref.shape:
        return f"shapes {list(c.shape)} (C) and {list(ref.shape)} (reference)"
    differ = ~((c == ref) & (np.signbit(c) == np.signbit(ref)) | np.isnan(c) & np.isnan(ref))
    where = np.argwhere(differ)
    first = tuple(where[0])
    return (f"{len(where)} of {c.size} differ; first at {list(first)}: C {c[first]!r}, "
            f"reference {ref[first]!r}")


def _reference_traces(path, inputs, options):
    """The reference's membranes and synaptic currents ({'node.v': [S, T, ...]})."""
    opts = semantics.resolve_options(**options)
    graph = load_graph(path)
    plan = api.quantization_plan(graph, opts, path)
    if plan is not None:
        return reference.simulate_quantized(graph, opts, plan, inputs, record=True)[1]
    dtype = np.float32 if opts.precision == "f32" else np.float64
    return reference.simulate(graph, opts, inputs, dtype=dtype, record=True)[1]


def differential(path, inputs, options, cc="gcc"):
    """Runs one graph with one set of options (precision included) through the
    C and the reference. Returns None if both refuse it, else whether the
    outputs vary (a run whose outputs are all equal shows less). Raises
    AssertionError if only one of them refuses it, if the C does not compile
    under strict flags, or if outputs or membranes differ: f64 and int8/int16
    bit for bit with the reference, f32 bit for bit with the reference run in
    float32 (as test_end_to_end.py compares), NaN equal to NaN."""
    described = f"options {options}"
    c_error = ref_error = None
    try:
        api.generate(path, name="m", **options)
    except SNNCError as exc:
        c_error = exc
    try:
        ref_out = api.run(path, inputs, backend="reference", **options)
    except SNNCError as exc:
        ref_error = exc
    if c_error and ref_error:
        return None
    if c_error or ref_error:
        raise AssertionError(f"{described}: the compiler "
                             f"{'refuses' if c_error else 'accepts'} the graph, the reference "
                             f"{'refuses' if ref_error else 'accepts'} it: "
                             f"{c_error or ref_error}")
    try:
        c_out, c_states = api.run_c(path, inputs, name="m", cc=cc, record_states=True,
                                    extra_cflags=["-Wcast-qual"], **options)
    except SNNCError as exc:  # generate accepted it: this is the build or the run failing
        raise AssertionError(f"{described}: {exc}") from None
    if not same_values(c_out, ref_out):
        raise AssertionError(f"{described}: outputs differ: {_first_difference(c_out, ref_out)}")
    for key, trace in _reference_traces(path, inputs, options).items():
        node, _, part = key.partition(".")
        field = f"{node}_{part}"  # the generator's node names are C identifiers already
        if part in ("v", "i_syn") and field in c_states:
            if not same_values(c_states[field], trace):
                raise AssertionError(f"{described}: {key} differs: "
                                     f"{_first_difference(c_states[field], trace)}")
    finite = np.asarray(ref_out, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return bool(finite.size and finite.max() != finite.min())


def differential_round(draw, path, cc="gcc", last_run=None):
    """One graph (options drawn first, so the parameters suit their dt) run in
    every precision. Returns {precision: None (refused) or whether the
    outputs vary}, or {} if no graph could be written. `last_run`, a dict,
    receives the options and inputs of each run before it starts (to keep
    them with a failing file)."""
    import hypothesis.strategies as st
    options = random_options(draw)
    n_in = random_graph(draw, path, dt=time_step(options))
    if not n_in:
        return {}
    results = {}
    for precision in PRECISIONS:
        integer = precision in semantics.INTEGER_PRECISIONS
        inputs = random_inputs(draw, n_in, integer)
        run_options = dict(options, precision=precision)
        # Integer models count one spike per step at most (docs/quantization.md):
        # under a multi-spike preset (sinabs, rockpool) they mostly run with
        # --spikes single, and sometimes not, to see both refuse.
        if integer and "spikes" not in options and draw(st.integers(0, 3)) < 3:
            run_options["spikes"] = "single"
        if last_run is not None:
            last_run.update(options=run_options, inputs=inputs)
        results[precision] = differential(path, inputs, run_options, cc)
    return results


class DifferentialTally:
    """What the differential rounds did: graphs written, and per precision how
    many the compiler and the reference accepted (and then agreed on), and how
    many of those had outputs that vary. A compiler that refused everything
    would pass every comparison; the accepted fractions show it did not."""

    def __init__(self):
        self.graphs = 0  # written (nir could write them)
        self.unwritable = 0
        self.compiled = 0  # in at least one precision
        self.accepted = {p: 0 for p in PRECISIONS}
        self.varied = {p: 0 for p in PRECISIONS}

    def add(self, results):
        if not results:
            self.unwritable += 1
            return
        self.graphs += 1
        self.compiled += any(varied is not None for varied in results.values())
        for precision, varied in results.items():
            if varied is not None:
                self.accepted[precision] += 1
                self.varied[precision] += bool(varied)

    def fraction(self, precision=None):
        """Of the graphs written, the fraction compiled in `precision` (None: in any)."""
        count = self.compiled if precision is None else self.accepted[precision]
        return count / max(self.graphs, 1)

    def summary(self):
        per_precision = ", ".join(f"{p} {self.accepted[p]} ({self.varied[p]} with outputs "
                                  "that vary)" for p in PRECISIONS)
        return (f"{self.graphs} random graphs ({self.unwritable} more that nir could not "
                f"write): {self.compiled} ({self.fraction():.0%}) compiled in some precision "
                f"and ran equal to the reference; per precision: {per_precision}")


def mutated_bytes(draw, source):
    """A valid file with a few bytes changed, or cut short."""
    import hypothesis.strategies as st
    data = bytearray(open(source, "rb").read())
    if draw(st.booleans()):
        return bytes(data[:draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def compile_or_reject(path, cc="gcc"):
    """Returns True if C was generated (and compiled), False if rejected."""
    try:
        files = api.generate(path, name="m", dt=1e-3)
    except SNNCError:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        api.write_files(files, tmp)
        result = subprocess.run([cc, *STRICT, "-ffp-contract=off", "-c",
                                 os.path.join(tmp, "m.c"), "-o", os.path.join(tmp, "m.o")],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"generated C does not compile:\n{result.stderr[-3000:]}")
    return True


# --------------------------------------------------------------------------
# Hostile structure: data that lies outside the file, names that collide

POINTER_KINDS = ["external storage", "external link", "virtual dataset", "soft link"]


def write_secret(folder):
    """A file an attacker would like compiled into the C: 96 bytes of a marker
    (finite doubles), and an HDF5 file holding them as an array."""
    import h5py
    raw = (SECRET_MARKER * 8)[:96]
    with open(os.path.join(folder, "secret.bin"), "wb") as f:
        f.write(raw)
    with h5py.File(os.path.join(folder, "secret.h5"), "w") as f:
        f.create_dataset("data", data=np.frombuffer(raw, dtype="<f8"))
    return os.path.join(folder, "secret.bin"), os.path.join(folder, "secret.h5")


SECRET_MARKER = b"SNNC-FUZZ-SECRET"


def pointer_outside(draw, path, secret):
    """A random valid graph in which one numeric dataset, chosen at random, is
    replaced by a pointer to data outside the file (or a soft link)."""
    import h5py
    import hypothesis.strategies as st
    raw_path, h5_path = secret
    random_graph(draw, path)
    if os.path.getsize(path) == 0:
        return False
    with h5py.File(path, "a") as f:
        numeric = []
        f.visititems(lambda name, item: numeric.append(name)
                     if isinstance(item, h5py.Dataset) and item.dtype.kind == "f" else None)
        if not numeric:
            return False
        name = draw(st.sampled_from(sorted(numeric)))
        shape, dtype = f[name].shape, f[name].dtype
        count = int(np.prod(shape))
        del f[name]
        kind = draw(st.sampled_from(POINTER_KINDS))
        if kind == "external storage":
            f.create_dataset(name, shape=shape, dtype="<f8",
                             external=[(raw_path, 0, 8 * count)]) if count <= 12 else \
                f.create_dataset(name, shape=(12,), dtype="<f8", external=[(raw_path, 0, 96)])
        elif kind == "external link":
            f[name] = h5py.ExternalLink(h5_path, "/data")
        elif kind == "virtual dataset":
            layout = h5py.VirtualLayout(shape=(12,), dtype=dtype)
            layout[:] = h5py.VirtualSource(h5_path, "data", shape=(12,))
            f.create_virtual_dataset(name, layout)
        else:
            f[name] = h5py.SoftLink("/version")
    return True


COLLIDING = ["a.b", "a_b", "a-b", "α", "β", "int", "int_", "_", "1x", "1-x", "b"]


def colliding_names(draw, path):
    """A chain of LIF neurons (each with its own state) under names that
    sanitize alike, sometimes with some of them inside a subgraph 'a' (whose
    node 'b' flattens to 'a.b'). Returns the number of neurons written."""
    import hypothesis.strategies as st
    names = draw(st.lists(st.sampled_from(COLLIDING), min_size=1, max_size=6, unique=True))
    n = 2

    def neuron(i):
        return nir.LIF(tau=np.full(n, 0.02), r=np.full(n, 1.0 + i), v_leak=np.zeros(n),
                       v_threshold=np.ones(n), v_reset=np.zeros(n))

    nodes = {"input": nir.Input(input_type={"input": np.array([n])}),
             "output": nir.Output(output_type={"output": np.array([n])})}
    chain = ["input"]
    for i, name in enumerate(names):
        nodes[name] = neuron(i)
        chain.append(name)
    neurons = len(names)
    if draw(st.booleans()) and "a" not in names:
        inner_names = draw(st.lists(st.sampled_from(["b", "c", "a.b"]), min_size=1,
                                    max_size=2, unique=True))
        inner = {"input": nir.Input(input_type={"input": np.array([n])}),
                 "output": nir.Output(output_type={"output": np.array([n])})}
        inner_chain = ["input"]
        for j, inner_name in enumerate(inner_names):
            inner[inner_name] = neuron(10 + j)
            inner_chain.append(inner_name)
        inner_chain.append("output")
        nodes["a"] = nir.NIRGraph(nodes=inner, edges=list(zip(inner_chain[:-1],
                                                              inner_chain[1:])),
                                  type_check=False)
        chain.append("a")
        neurons += len(inner_names)
    chain.append("output")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=list(zip(chain[:-1], chain[1:])),
                                 type_check=False))
    return neurons


def compile_keeps_every_neuron(path, neurons):
    """Compiles (or is refused); compiled, the header must hold one membrane
    per neuron written: a node that replaced another would leave one out."""
    try:
        files = api.generate(path, name="m", dt=1e-3)
    except SNNCError as exc:
        assert "taken by" in str(exc) or "both a node and port" in str(exc), str(exc)
        return False
    fields = [line for line in files["m.h"].splitlines()
              if line.startswith("  float ") and "_v[" in line]
    assert len(fields) == neurons, files["m.h"]
    assert len({f.split()[1] for f in fields}) == neurons, files["m.h"]
    compile_or_reject(path)
    return True
