"""Bit-exact agreement with the exporting framework's own simulation.

The fixtures in fixtures/frameworks/ were made by make_fixtures.py there: each
framework built a network, exported it with its own NIR exporter and ran its
own simulation on fixed inputs (see the README beside them). The compiled C,
with the matching preset, must reproduce the framework's output exactly.
"""
import os

import numpy as np
import pytest

from snnc import api

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "frameworks")

# (framework, case, options beyond the preset): what the file cannot say.
SNNTORCH_CASES = [
    ("leaky_subtract", {}),                # Leaky, reset_mechanism="subtract" (default)
    ("leaky_zero", {"reset": "value"}),    # Leaky, reset_mechanism="zero"
    ("synaptic", {}),                      # Synaptic -> CubaLIF
    ("rleaky", {}),                        # RLeaky: a recurrent cycle lif -> w_rec -> lif
]


def _load(framework, case, suffix):
    return np.load(os.path.join(FIXTURES, f"{framework}_{case}_{suffix}.npy"))


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("case,options", SNNTORCH_CASES, ids=[c for c, _ in SNNTORCH_CASES])
def test_snntorch_fixture_is_reproduced_exactly(case, options, precision):
    inputs = _load("snntorch", case, "input")
    expected = _load("snntorch", case, "output" if precision == "f64" else "output_f32")
    model = os.path.join(FIXTURES, f"snntorch_{case}.nir")
    outputs = api.run(model, inputs, backend="c", preset="snntorch", precision=precision,
                      **options)
    assert outputs.shape == expected.shape
    assert 0.02 < expected.mean() < 0.5, "the fixture should spike at a moderate rate"
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"


@pytest.mark.parametrize("case,options", SNNTORCH_CASES, ids=[c for c, _ in SNNTORCH_CASES])
def test_reference_agrees_with_snntorch_too(case, options):
    inputs = _load("snntorch", case, "input")
    expected = _load("snntorch", case, "output")
    model = os.path.join(FIXTURES, f"snntorch_{case}.nir")
    outputs = api.run(model, inputs, backend="reference", preset="snntorch", precision="f64",
                      **options)
    assert np.array_equal(outputs, expected)


def test_reset_mode_matters_on_these_fixtures():
    """The wrong reset rule does not reproduce the framework: the fixture can fail."""
    inputs = _load("snntorch", "leaky_subtract", "input")
    expected = _load("snntorch", "leaky_subtract", "output")
    model = os.path.join(FIXTURES, "snntorch_leaky_subtract.nir")
    outputs = api.run(model, inputs, backend="reference", preset="snntorch", reset="value",
                      precision="f64")
    assert not np.array_equal(outputs, expected)


@pytest.mark.parametrize("precision", ["f64", "f32"])
def test_norse_lifbox_fixture_is_reproduced_exactly(precision):
    """Norse 1.1 writes tau as dt / tau_mem; the norse preset reads it back."""
    inputs = _load("norse", "lifbox", "input")
    expected = _load("norse", "lifbox", "output")
    model = os.path.join(FIXTURES, "norse_lifbox.nir")
    outputs = api.run(model, inputs, backend="c", preset="norse", precision=precision)
    assert 0.02 < expected.mean() < 0.5
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"
    # Without the correction of Norse's tau the result is wrong.
    wrong = api.run(model, inputs, backend="reference", preset="norse", tau_convention="nir",
                    precision="f64")
    assert not np.array_equal(wrong, expected)


def test_norse_li_readout_membrane_matches():
    """An LI output layer delivers its membrane: equal to Norse's up to rounding."""
    inputs = _load("norse", "lifbox_li", "input")
    expected = _load("norse", "lifbox_li", "output")
    model = os.path.join(FIXTURES, "norse_lifbox_li.nir")
    outputs = api.run(model, inputs, backend="c", preset="norse", precision="f64")
    assert np.std(expected) > 0
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("framework,case,word", [("norse", "lifbox", "Norse"),
                                                 ("snntorch", "rleaky", "snnTorch")])
def test_check_names_the_exporter(framework, case, word):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "snnc", "check",
                             os.path.join(FIXTURES, f"{framework}_{case}.nir")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"--preset {framework}" in result.stdout and word in result.stdout


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("framework", ["snntorch", "norse"])
def test_convolutional_fixture_is_reproduced_exactly(framework, precision):
    """snnTorch: Conv2d -> AvgPool2d -> LIF -> Flatten -> Affine -> LIF;
    Norse: Conv2d -> LIFBox with a [2, 6, 6] output."""
    inputs = _load(framework, "conv", "input")
    expected = _load(framework, "conv", "output")
    model = os.path.join(FIXTURES, f"{framework}_conv.nir")
    flat_inputs = inputs.reshape(inputs.shape[0], inputs.shape[1], -1)
    outputs = api.run(model, flat_inputs, backend="c", preset=framework, precision=precision)
    outputs = outputs.reshape(expected.shape)
    assert 0.02 < expected.mean() < 0.5
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("case", ["lif", "lif_burst"])
def test_rockpool_fixture_is_reproduced_exactly(case, precision):
    """Rockpool's LIFTorch (exported as CubaLIF): exact decay, input added to the
    current before it decays, several spikes per step (lif_burst: up to 5)."""
    inputs = _load("rockpool", case, "input")
    expected = _load("rockpool", case, "output")
    model = os.path.join(FIXTURES, f"rockpool_{case}.nir")
    outputs = api.run(model, inputs, backend="c", preset="rockpool", precision=precision)
    outputs = outputs.reshape(expected.shape)
    assert 0.02 < (expected > 0).mean() < 0.9
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"
    if case == "lif_burst":
        assert expected.max() > 1  # really several spikes per step


@pytest.mark.parametrize("precision", ["f64", "f32"])
def test_norse_lifcell_fixture_is_reproduced_exactly(precision):
    """Norse's LIFCell (exported as CubaLIF): the input jumps into the current,
    the membrane sees that, then the current decays (--preset norse)."""
    inputs = _load("norse", "lifcell", "input")
    expected = _load("norse", "lifcell", "output")
    model = os.path.join(FIXTURES, "norse_lifcell.nir")
    outputs = api.run(model, inputs, backend="c", preset="norse", precision=precision)
    assert 0.02 < expected.mean() < 0.5
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"
    # The NIR reading (Euler synapse, current-first) does not reproduce Norse.
    plain = api.run(model, inputs, backend="reference", dt=1e-3, reset="value",
                    tau_convention="norse-inverse", precision="f64")
    assert not np.array_equal(plain, expected)


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("case,options", [
    ("lif", {}),                                            # LIFSqueeze, defaults (MultiSpike)
    ("lif_single", {"spikes": "single", "input_gains": "unit"}),  # SingleSpike, norm_input=False
    ("iaf", {}),                                            # IAFSqueeze (IF), MultiSpike
])
def test_sinabs_fixture_is_reproduced_exactly(case, options, precision):
    inputs = _load("sinabs", case, "input")
    expected = _load("sinabs", case, "output")
    model = os.path.join(FIXTURES, f"sinabs_{case}.nir")
    outputs = api.run(model, inputs.reshape(inputs.shape[0], inputs.shape[1], -1),
                      backend="c", preset="sinabs", precision=precision, **options)
    outputs = outputs.reshape(expected.shape)
    assert 0.02 < (expected > 0).mean() < 0.5
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("case", ["lif", "cubalif"])
def test_spyx_fixture_is_reproduced_exactly(case, precision):
    """Spyx decides the spike from the membrane before the update; LIF subtracts
    after its decay, CuBaLIF before (--preset spyx)."""
    inputs = _load("spyx", case, "input")
    expected = _load("spyx", case, "output")
    model = os.path.join(FIXTURES, f"spyx_{case}.nir")
    outputs = api.run(model, inputs, backend="c", preset="spyx", precision=precision)
    assert 0.02 < expected.mean() < 0.5
    assert np.array_equal(outputs, expected), \
        f"{int((outputs != expected).sum())} of {expected.size} outputs differ"
    after = api.run(model, inputs, backend="reference", preset="spyx",
                    spike_timing="after-update", precision="f64")
    assert not np.array_equal(after, expected)  # the timing matters here
