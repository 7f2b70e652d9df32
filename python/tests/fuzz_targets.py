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
EDGE_VALUES = [0.0, -1.0, 1.0, 1e-9, 1e9, float("nan"), float("inf"), -float("inf")]
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
