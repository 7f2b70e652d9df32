"""Shared fixtures of the snnc test suite.

Everything here is independent of snnc's own code paths: synthetic NIR files
are written with `nir.write` from parameters drawn by a seeded numpy rng, and
the shipped example comes with snnTorch's own output spikes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace

import nir
import numpy as np
import pytest

import snnc

# The directory that holds the `snnc` package under test (python/ in a source
# checkout, site-packages in an installed one), and this repository's root.
PACKAGE_PARENT = Path(snnc.__file__).resolve().parent.parent
REPO_ROOT = Path(__file__).resolve().parents[2]
DIGITS_DIR = REPO_ROOT / "examples" / "models" / "digits"


# --------------------------------------------------------------------------
# nothing skipped silently: with SNNC_FAIL_ON_SKIP=1 (scripts/test.sh sets it)
# a skipped test fails the run, and the summary names every one. An xfail (a
# documented known mismatch, marked explicitly) is not a skip.

_SKIPPED = []  # [(node id, reason)] in the order they were reported


def _skip_reason(report) -> str:
    if isinstance(report.longrepr, tuple):  # (file, line, "Skipped: reason")
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append((report.nodeid, _skip_reason(report)))


def pytest_collectreport(report):
    # A module that skips itself at import (pytest.importorskip) has no tests
    # to report: its collection report is the only trace of the skip.
    if report.skipped:
        _SKIPPED.append((report.nodeid, _skip_reason(report)))


def _fail_on_skip() -> bool:
    return os.environ.get("SNNC_FAIL_ON_SKIP") == "1"


def pytest_sessionfinish(session, exitstatus):
    if _fail_on_skip() and _SKIPPED and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _fail_on_skip() and _SKIPPED:
        terminalreporter.write_sep("=", f"SNNC_FAIL_ON_SKIP=1: {len(_SKIPPED)} skipped "
                                        f"test(s) fail the run", red=True)
        for node_id, reason in _SKIPPED:
            terminalreporter.write_line(f"SKIPPED {node_id}: {reason}")


# --------------------------------------------------------------------------
# tools


def find_clang() -> str:
    """The clang executable; skips the test when absent unless CI demands it."""
    path = shutil.which("clang")
    if path:
        return path
    if os.environ.get("SNNC_REQUIRE_CLANG") == "1":
        pytest.fail("clang is not installed but SNNC_REQUIRE_CLANG=1 requires it")
    pytest.skip("clang is not installed (set SNNC_REQUIRE_CLANG=1 to make this a failure)")


def find_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def clang():
    return find_clang()


@pytest.fixture
def gcc():
    return find_tool("gcc")


def cli_env(**extra) -> dict:
    """Environment for `python -m snnc` subprocesses: the package must be
    importable from wherever the test runs (the source tree in development)."""
    env = dict(os.environ)
    paths = [str(PACKAGE_PARENT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def run_cli(*args, cwd=None, env=None, timeout=120):
    """Runs `python -m snnc ARGS`; returns the CompletedProcess (text mode)."""
    return subprocess.run([sys.executable, "-m", "snnc", *map(str, args)], cwd=cwd,
                          env=env or cli_env(), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


# --------------------------------------------------------------------------
# the shipped example


@pytest.fixture(scope="session")
def digits_dir() -> Path:
    if not (DIGITS_DIR / "digits.nir").is_file():
        pytest.skip(f"the digits example is not available at {DIGITS_DIR}")
    return DIGITS_DIR


@pytest.fixture(scope="session")
def digits(digits_dir):
    """The digits example: paths and arrays (snnTorch's own output spikes)."""
    d = SimpleNamespace(
        dir=digits_dir,
        nir=digits_dir / "digits.nir",
        inputs=np.load(digits_dir / "test_inputs.npy"),
        labels=np.load(digits_dir / "test_labels.npy"),
        spikes_f32=np.load(digits_dir / "snntorch_output_spikes_f32.npy"),
        spikes_f64=np.load(digits_dir / "snntorch_output_spikes_f64.npy"),
    )
    assert d.inputs.shape == (450, 25, 64) and d.inputs.dtype == np.uint8
    assert d.labels.shape == (450,)
    assert d.spikes_f32.shape == d.spikes_f64.shape == (450, 25, 10)
    return d


# --------------------------------------------------------------------------
# synthetic NIR graphs

# The time step the random parameters are drawn for: constants per step
# (decay 1-dt/tau, gain r*dt/tau) land in useful ranges with it.
DT = 1e-3


def _per_neuron(rng, n, low, high, uniform):
    if uniform:
        return np.full(n, rng.uniform(low, high))
    return rng.uniform(low, high, size=n)


class NirFactory:
    """Writes small NIR files with `nir.write`.

    `chain(spec, n_in=...)` builds Input -> spec... -> Output, where spec items
    are "affine:N", "linear:N", "lif", "li", "i", "if", "scale", "threshold",
    optionally "name=item" to choose the node name. Parameters come from
    `numpy.random.default_rng(seed)`:

    - random (default): drawn for DT = 1e-3 so that neurons both fire and stay
      silent; per-neuron values unless uniform=True;
    - uniform_v_reset=True: per-neuron parameters except v_reset, which is
      the same for all neurons of a layer;
    - exact=True: small integers and powers of two for dt = 1.0 (decay 0.5,
      gain 1), so every sum is exact and membranes hit the threshold exactly,
      which tells `gt` from `ge` apart.

    `graph(nodes, edges)` writes an arbitrary graph (type checking off), for
    invalid inputs.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def _path(self, file_name):
        if file_name is None:
            self.count += 1
            file_name = f"model{self.count}.nir"
        return self.directory / file_name

    def graph(self, nodes, edges, file_name=None, type_check=False) -> Path:
        path = self._path(file_name)
        nir.write(str(path), nir.NIRGraph(nodes=dict(nodes), edges=list(edges),
                                          type_check=type_check))
        return path

    def layer(self, kind, n_in, rng, *, exact=False, uniform=False, uniform_v_reset=False):
        """One NIR node of `kind` taking n_in inputs; returns (node, n_out)."""
        kind, _, arg = kind.partition(":")
        n = n_in
        if kind in ("affine", "linear"):
            n_out = int(arg)
            if exact:
                weight = rng.integers(-2, 3, size=(n_out, n_in)).astype(np.float64)
                bias = rng.integers(-1, 2, size=n_out).astype(np.float64)
            else:
                weight = rng.normal(0.0, 2.5 / np.sqrt(n_in), size=(n_out, n_in))
                bias = rng.normal(0.0, 0.3, size=n_out)
            if kind == "affine":
                return nir.Affine(weight=weight, bias=bias), n_out
            return nir.Linear(weight=weight), n_out
        if exact:
            # dt = 1: tau = 2 -> decay 0.5, r = 2 -> gain r*dt/tau = 1.
            tau = np.full(n, 2.0)
            r_leaky = np.full(n, 2.0)
            r_int = np.full(n, 1.0)
            v_leak = rng.integers(-1, 2, size=n).astype(np.float64)
            v_threshold = rng.integers(1, 4, size=n).astype(np.float64)
            v_reset = rng.integers(-1, 1, size=n).astype(np.float64)
            scale = rng.choice([-2.0, -0.5, 0.5, 1.0, 2.0], size=n)
            threshold = rng.integers(-1, 2, size=n).astype(np.float64)
        else:
            tau = _per_neuron(rng, n, 2e-3, 2e-2, uniform)
            # gain r*dt/tau in [0.5, 1.5]
            r_leaky = _per_neuron(rng, n, 0.5, 1.5, uniform) * tau / DT
            r_int = _per_neuron(rng, n, 0.2, 0.8, uniform) / DT
            v_leak = _per_neuron(rng, n, -0.3, 0.3, uniform)
            v_threshold = _per_neuron(rng, n, 0.5, 1.5, uniform)
            v_reset = _per_neuron(rng, n, -0.3, 0.3, uniform)
            scale = _per_neuron(rng, n, -2.0, 2.0, uniform)
            threshold = _per_neuron(rng, n, -0.5, 0.5, uniform)
        if uniform_v_reset:  # one v_reset per layer, other parameters per neuron
            v_reset = np.full(n, v_reset[0])
        if kind == "lif":
            return nir.LIF(tau=tau, r=r_leaky, v_leak=v_leak, v_threshold=v_threshold,
                           v_reset=v_reset), n
        if kind == "li":
            return nir.LI(tau=tau, r=r_leaky, v_leak=v_leak), n
        if kind == "i":
            return nir.I(r=r_int), n
        if kind == "if":
            return nir.IF(r=r_int, v_threshold=v_threshold, v_reset=v_reset), n
        if kind == "scale":
            return nir.Scale(scale=scale), n
        if kind == "threshold":
            return nir.Threshold(threshold=threshold), n
        raise ValueError(f"unknown layer kind {kind!r}")

    def chain(self, spec, *, n_in=6, seed=0, exact=False, uniform=False, uniform_v_reset=False,
              file_name=None, input_name="input", output_name="output") -> Path:
        rng = np.random.default_rng(seed)
        nodes = {input_name: nir.Input(input_type={"input": np.array([n_in])})}
        order = [input_name]
        n = n_in
        for index, item in enumerate(spec):
            name, sep, kind = item.partition("=")
            if not sep:
                name, kind = f"{item.split(':')[0]}{index}", item
            node, n = self.layer(kind, n, rng, exact=exact, uniform=uniform,
                                 uniform_v_reset=uniform_v_reset)
            nodes[name] = node
            order.append(name)
        nodes[output_name] = nir.Output(output_type={"output": np.array([n])})
        order.append(output_name)
        edges = list(zip(order[:-1], order[1:]))
        path = self._path(file_name)
        # type_check=True: nir itself vouches that the graph is well formed.
        nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=edges))
        return path

    __call__ = chain


@pytest.fixture
def tmp_nir(tmp_path):
    """Factory of small synthetic NIR files in this test's tmp_path."""
    return NirFactory(tmp_path / "nir")


@pytest.fixture(scope="session")
def session_nir(tmp_path_factory):
    """The same factory for session-scoped (cached) models."""
    return NirFactory(tmp_path_factory.mktemp("nir"))


# --------------------------------------------------------------------------
# spiking activity: a comparison of C with the reference means little when a
# layer never fires (every threshold, reset and compare branch untaken) or
# fires almost always (the same branches, the other way round).

# A layer is silent when it fires in fewer of its neuron-steps than this, and
# saturated when it fires in more than SATURATED_ABOVE of them.
SILENT_BELOW = 0.02
SATURATED_ABOVE = 0.9


def spike_rates(traces) -> dict:
    """{layer name: fraction of its neuron-steps with at least one spike}, for
    every spiking layer (IF, LIF, CubaLIF, Threshold) in `traces`."""
    return {key[:-len(".spike")]: float(np.mean(np.asarray(trace) > 0))
            for key, trace in traces.items() if key.endswith(".spike")}


def layers_are_lively(traces, *, silent_below=SILENT_BELOW,
                      saturated_above=SATURATED_ABOVE) -> bool:
    """True when no spiking layer in `traces` is silent or saturated (see
    assert_layers_spike); for generated examples that may be discarded."""
    return all(silent_below <= rate <= saturated_above for rate in spike_rates(traces).values())


def assert_layers_spike(traces, *, silent_below=SILENT_BELOW,
                        saturated_above=SATURATED_ABOVE, context=""):
    """Fails when a spiking layer is silent or saturated over the run.

    `traces` are the reference simulator's recorded traces
    (`reference.simulate(..., record=True)` or `simulate_quantized`): they
    hold "<layer>.spike", the output of every spiking layer at every step,
    under every reset rule (the C records a spike state only under the
    delayed reset, so its own states cannot say this for the other rules).
    Reading the reference is honest because every test that calls this also
    requires the C to equal the reference bit for bit on the outputs and the
    membranes, which depend on each hidden layer's spikes.

    A layer is silent when fewer than `silent_below` of its neuron-steps
    (neurons x steps x sequences) carry a spike, and saturated when more
    than `saturated_above` do. Returns {layer: rate}; fails when there is no
    spiking layer at all (nothing would be checked)."""
    rates = spike_rates(traces)
    assert rates, f"{context}: no spiking layer in the traces, nothing to check"
    summary = ", ".join(f"{name} {rate:.1%}" for name, rate in rates.items())
    silent = [name for name, rate in rates.items() if rate < silent_below]
    saturated = [name for name, rate in rates.items() if rate > saturated_above]
    assert not silent, (f"{context}: silent layer(s) {silent} (fewer than {silent_below:.0%} "
                        f"of neuron-steps spike); rates: {summary}")
    assert not saturated, (f"{context}: saturated layer(s) {saturated} (more than "
                           f"{saturated_above:.0%} of neuron-steps spike); rates: {summary}")
    return rates


@pytest.fixture
def rng(request):
    """A numpy generator of this test's own: seeded from the test's module and
    name (crc32, stable across runs and Python versions), so its inputs do not
    depend on which tests ran before it or on the directory pytest runs from."""
    key = f"{request.module.__name__}::{request.node.name}"
    return np.random.default_rng(zlib.crc32(key.encode()))


def bernoulli_inputs(rng, shape, p=0.3):
    return (rng.random(shape) < p).astype(np.float64)


def real_inputs(rng, shape):
    return rng.normal(0.0, 1.0, size=shape)


def write_affine_lif(path, weight, bias, threshold=1.0):
    """Input -> Affine(weight, bias) -> LIF -> Output, written to `path` (a
    path-like) and returned. The LIF has tau = 1 ms and r = tau / 1e-4: at
    dt = 1e-4 (the snntorch preset) a decay of 0.9 and a gain of 1."""
    weight = np.asarray(weight, np.float64)
    n, n_in = weight.shape
    tau = 1e-3
    nodes = {"input": nir.Input(input_type=np.array([n_in])),
             "fc": nir.Affine(weight=weight, bias=np.asarray(bias, np.float64)),
             "lif": nir.LIF(tau=np.full(n, tau), r=np.full(n, tau / 1e-4), v_leak=np.zeros(n),
                            v_threshold=np.full(n, threshold), v_reset=np.zeros(n)),
             "output": nir.Output(output_type=np.array([n]))}
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", "lif"),
                                                           ("lif", "output")]))
    return path
