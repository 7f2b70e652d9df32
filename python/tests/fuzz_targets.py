"""Fuzz targets shared by the tests (bounded) and scripts/fuzz.py (long runs).

Each target turns random choices into a NIR file and asks the compiler for C.
The only acceptable outcomes: C that compiles under strict flags, or an
SNNCError (the one-line message the CLI prints). Anything else, an internal
exception or a crash, is a bug.
"""
import os
import subprocess
import tempfile

import nir
import numpy as np

from snnc import SNNCError, api

NODE_KINDS = ["Affine", "Linear", "Scale", "Threshold", "I", "IF", "LI", "LIF", "CubaLI",
              "CubaLIF", "Delay", "Flatten", "Conv2d", "SumPool2d", "AvgPool2d"]
# Ordinary edge cases, magnitudes beyond float32 and int8/int16 scales (1e30,
# 1e39, 1e300, 1e-30, 1e-300), float64's smallest denormal, and float32's
# largest finite neighbourhood (3.4e38 fits, 1e39 does not).
EDGE_VALUES = [0.0, -1.0, 1.0, 1e-9, 1e9, float("nan"), float("inf"), -float("inf"),
               1e30, 1e39, 1e300, -1e300, 1e-30, 1e-300, 5e-324, 3.4e38]
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wcast-qual", "-Werror"]


def _values(draw, shape, positive=False):
    """An array of the shape: ordinary values, or (sometimes) an edge case."""
    import hypothesis.strategies as st
    if draw(st.integers(0, 9)) == 0:
        value = draw(st.sampled_from(EDGE_VALUES))
        return np.full(shape, value)
    low, high = (1e-3, 0.05) if positive else (-1.0, 1.0)
    seed = draw(st.integers(0, 2 ** 16))
    return np.random.default_rng(seed).uniform(low, high, shape)


def _node(draw, kind, n):
    import hypothesis.strategies as st
    v = lambda positive=False: _values(draw, (n,), positive)  # noqa: E731
    if kind == "Affine":
        m = draw(st.integers(1, 6))
        return nir.Affine(weight=_values(draw, (m, n)), bias=_values(draw, (m,)))
    if kind == "Linear":
        return nir.Linear(weight=_values(draw, (draw(st.integers(1, 6)), n)))
    if kind == "Scale":
        return nir.Scale(scale=v())
    if kind == "Threshold":
        return nir.Threshold(threshold=v())
    if kind == "I":
        return nir.I(r=v())
    if kind == "IF":
        return nir.IF(r=v(), v_threshold=v(), v_reset=v())
    if kind == "LI":
        return nir.LI(tau=v(True), r=v(), v_leak=v())
    if kind == "LIF":
        return nir.LIF(tau=v(True), r=v(), v_leak=v(), v_threshold=v(), v_reset=v())
    if kind == "CubaLI":
        return nir.CubaLI(tau_syn=v(True), tau_mem=v(True), r=v(), v_leak=v(), w_in=v())
    if kind == "CubaLIF":
        return nir.CubaLIF(tau_syn=v(True), tau_mem=v(True), r=v(), v_leak=v(), w_in=v(),
                           v_threshold=v(), v_reset=v())
    if kind == "Delay":
        return nir.Delay(delay=np.abs(np.round(v(True) * 1e3)) * 1e-3)
    if kind == "Flatten":
        return nir.Flatten(input_type={"input": np.array([n])}, start_dim=0)
    if kind == "Conv2d":
        return nir.Conv2d(input_shape=(2, 2), weight=_values(draw, (1, n, 1, 1)), stride=1,
                          padding=draw(st.integers(0, 1)), dilation=1, groups=1,
                          bias=_values(draw, (1,)))
    return getattr(nir, kind)(kernel_size=np.array([2, 2]), stride=np.array([1, 1]),
                              padding=np.array([draw(st.integers(0, 1))] * 2))


def random_graph(draw, path):
    """A random small graph, mostly chains, sometimes with extra (odd) edges."""
    import hypothesis.strategies as st
    n_in = draw(st.integers(1, 5))
    kinds = draw(st.lists(st.sampled_from(NODE_KINDS), min_size=1, max_size=5))
    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])})}
    names = []
    width = n_in
    for i, kind in enumerate(kinds):
        node = _node(draw, kind, width)
        name = f"{kind.lower()}{i}"
        nodes[name] = node
        names.append(name)
        if kind in ("Affine", "Linear"):
            width = node.weight.shape[0]
    nodes["output"] = nir.Output(output_type={"output": np.array([width])})
    chain = ["input"] + names + ["output"]
    edges = list(zip(chain[:-1], chain[1:]))
    for _ in range(draw(st.integers(0, 2))):  # recurrence, fan-in, nonsense
        edges.append((draw(st.sampled_from(chain + ["nowhere"])), draw(st.sampled_from(chain))))
    try:
        nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    except Exception:  # nir cannot write every random choice; nothing to test then
        open(path, "wb").close()


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
