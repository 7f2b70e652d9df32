#!/usr/bin/env python3
"""Train the convolutional example: a small conv SNN on 8x8 digits, with snnTorch.

The convolutional counterpart of ``examples/models/digits/train_digits.py``, with
the same data, split and encoding (the test inputs are that example's spikes,
reshaped to images). Everything is offline and deterministic:

* data: scikit-learn's bundled 8x8 digits (``sklearn.datasets.load_digits``);
* encoding: each image is rate-coded into ``T`` time steps of Bernoulli spikes
  with firing probability ``pixel / 16``, shaped [1, 8, 8] per step;
* network: ``Conv2d(1->8, 3x3, pad 1) -> Leaky[8,8,8] -> AvgPool2d(2)
  -> Conv2d(8->16, 3x3, pad 1) -> Leaky[16,4,4] -> AvgPool2d(2) -> Flatten
  -> Linear(64->10) -> Leaky[10]`` (beta=0.9, threshold=1.0, reset by
  subtraction, default ATan surrogate), classified by output spike count.
  Average pooling, not max pooling: NIR has no max pooling node, and snnTorch's
  exporter writes ``torch.nn.AvgPool2d`` as NIR ``AvgPool2d``;
* export: snnTorch's own ``export_to_nir`` followed by ``nir.write``.

Outputs (written next to this file):

* ``digits_conv.nir``                 the trained network as a NIR graph
* ``test_inputs.npy``                 uint8 [N, T, 1, 8, 8] input spikes (0/1)
* ``test_labels.npy``                 uint8 [N] digit labels
* ``snntorch_output_spikes_f32.npy``  uint8 [N, T, 10] output spikes of the
                                      trained float32 model (as trained)
* ``snntorch_output_spikes_f64.npy``  uint8 [N, T, 10] output spikes of a
                                      float64 copy (``.double()``) of the model
* ``README.md``                       accuracy and run details

Regenerate with (a CPU build of torch is enough; about 15 seconds on one thread)::

    python examples/models/digits_conv/train_digits_conv.py

``beta`` and ``threshold`` are per-neuron tensors of the layer's shape (all 0.9
and all 1.0), as in the dense example: snnTorch's exporter copies their shape into
the NIR ``LIF`` node, and NIR's type inference needs it to match the layer before.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections import OrderedDict
from pathlib import Path

import nir
import nirtorch
import numpy as np
import sklearn
import snntorch as snn
import snntorch.functional as SF
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from snntorch.export_nir import export_to_nir

OUT_DIR = Path(__file__).resolve().parent

# --- run configuration ------------------------------------------------------
T = 25                 # time steps per sample
IMAGE_SHAPE = (1, 8, 8)
C1, C2 = 8, 16         # channels of the two convolutions
N_OUT = 10
BETA = 0.9             # membrane decay per step
THRESHOLD = 1.0
SPLIT_SEED = 0         # train_test_split random_state
TEST_SIZE = 0.25
TEST_ENCODE_SEED = 1   # numpy seed for the Bernoulli encoding of the test set
TRAIN_ENCODE_SEED = 2  # numpy seed for the (per-epoch) training encodings
TORCH_SEED = 0         # weight init and batch shuffling
EPOCHS = 15
BATCH_SIZE = 64
LR = 5e-3
SNNC_SECTION = "## Compiled with snnc"  # README section kept across regenerations


def rate_encode(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli rate coding: [N, 64] pixels in 0..16 -> uint8 [N, T, 1, 8, 8].

    The draws are made in the dense example's [N, T, 64] layout and then reshaped,
    so that with the same seed both examples see the same spikes.
    """
    p = images.astype(np.float64) / 16.0
    draws = rng.random((images.shape[0], T, images.shape[1]))
    spikes = (draws < p[:, None, :]).astype(np.uint8)
    return spikes.reshape(images.shape[0], T, *IMAGE_SHAPE)


def build_net() -> torch.nn.Sequential:
    """The convolutional network; Leaky layers keep their state internally."""

    def leaky(shape: tuple[int, ...], output: bool = False) -> snn.Leaky:
        return snn.Leaky(
            beta=torch.full(shape, BETA),
            threshold=torch.full(shape, THRESHOLD),
            init_hidden=True,
            output=output,
        )

    return torch.nn.Sequential(
        OrderedDict(
            conv1=torch.nn.Conv2d(1, C1, 3, padding=1),
            lif1=leaky((C1, 8, 8)),
            pool1=torch.nn.AvgPool2d(2),
            conv2=torch.nn.Conv2d(C1, C2, 3, padding=1),
            lif2=leaky((C2, 4, 4)),
            pool2=torch.nn.AvgPool2d(2),
            flatten=torch.nn.Flatten(),
            fc=torch.nn.Linear(C2 * 2 * 2, N_OUT),
            lif3=leaky((N_OUT,), output=True),
        )
    )


def reset_state(net: torch.nn.Module) -> None:
    """Zero the membrane state of every Leaky layer (new batch of samples)."""
    for m in net.modules():
        if isinstance(m, snn.Leaky):
            m.reset_mem()


def run(net: torch.nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Simulate ``net`` on x [T, B, 1, 8, 8]; returns output spikes [T, B, 10].

    The layers are stepped one by one so that spikes can be cast to the
    model's dtype: snnTorch's surrogate returns float32 spikes, which a
    float64 (``.double()``) model could not feed to its next layer.
    The cast is exact (spikes are 0/1) and a no-op for the float32 model.
    """
    reset_state(net)
    out = []
    for t in range(x.shape[0]):
        h = x[t]
        for layer in net:
            h = layer(h)
            if isinstance(layer, snn.Leaky):
                if isinstance(h, tuple):  # output layer returns (spk, mem)
                    h = h[0]
                h = h.to(x.dtype)
        out.append(h)
    return torch.stack(out)


def accuracy(spikes_ntk: np.ndarray, labels: np.ndarray) -> float:
    """Spike-count classification; ties go to the lowest index (np.argmax)."""
    pred = np.argmax(spikes_ntk.sum(axis=1), axis=1)
    return float(np.mean(pred == labels))


def spike_rates(net: torch.nn.Sequential, x: torch.Tensor) -> dict[str, float]:
    """Mean spike rate of each Leaky layer: shows that none is silent or saturated."""
    sums: dict[str, float] = {}
    reset_state(net)
    with torch.no_grad():
        for t in range(x.shape[0]):
            h = x[t]
            for name, layer in net.named_children():
                h = layer(h)
                if isinstance(layer, snn.Leaky):
                    if isinstance(h, tuple):
                        h = h[0]
                    sums[name] = sums.get(name, 0.0) + float(h.mean())
    reset_state(net)
    return {name: s / x.shape[0] for name, s in sums.items()}


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(TORCH_SEED)
    torch.use_deterministic_algorithms(True)

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=TEST_SIZE,
        random_state=SPLIT_SEED, stratify=digits.target,
    )
    test_inputs = rate_encode(x_test, np.random.default_rng(TEST_ENCODE_SEED))
    test_labels = y_test.astype(np.uint8)
    train_rng = np.random.default_rng(TRAIN_ENCODE_SEED)
    y_train_t = torch.as_tensor(y_train, dtype=torch.long)

    net = build_net()
    loss_fn = SF.ce_count_loss()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    shuffle_gen = torch.Generator().manual_seed(TORCH_SEED)

    t0 = time.perf_counter()
    for epoch in range(EPOCHS):
        net.train()
        # fresh Bernoulli draws each epoch (deterministic via train_rng)
        xs = torch.as_tensor(rate_encode(x_train, train_rng), dtype=torch.float32)
        order = torch.randperm(len(xs), generator=shuffle_gen)
        total = 0.0
        for i in range(0, len(xs), BATCH_SIZE):
            idx = order[i:i + BATCH_SIZE]
            spk = run(net, xs[idx].transpose(0, 1))  # [T, B, 10]
            loss = loss_fn(spk, y_train_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1:2d}/{EPOCHS}  loss {total / len(xs):.4f}")
    train_seconds = time.perf_counter() - t0
    print(f"training took {train_seconds:.1f} s")

    # --- reference simulations with snnTorch itself ----------------------
    net.eval()
    net64 = build_net().double()
    net64.load_state_dict(net.state_dict())  # float32 values, widened exactly
    net64.eval()
    x_test_t = torch.as_tensor(test_inputs).transpose(0, 1)  # [T, N, 1, 8, 8]
    with torch.no_grad():
        spk32 = run(net, x_test_t.float()).transpose(0, 1).numpy().astype(np.uint8)
        spk64 = run(net64, x_test_t.double()).transpose(0, 1).numpy().astype(np.uint8)
    rates = spike_rates(net, x_test_t.float())
    acc32 = accuracy(spk32, test_labels)
    acc64 = accuracy(spk64, test_labels)
    n_differ = int(np.sum(spk32 != spk64))
    print(f"test accuracy (float32 snnTorch): {acc32:.4f}")
    print(f"test accuracy (float64 snnTorch): {acc64:.4f}")
    print(f"f32 vs f64 output spikes: {n_differ} of {spk32.size} entries differ")
    print("spike rates: " + ", ".join(f"{k} {v:.3f}" for k, v in rates.items()))

    # --- NIR export (from the float32 model, as trained) -----------------
    reset_state(net)
    graph = export_to_nir(net, torch.zeros(1, *IMAGE_SHAPE), ignore_dims=[0])
    reset_state(net)
    nir.write(OUT_DIR / "digits_conv.nir", graph)

    np.save(OUT_DIR / "test_inputs.npy", test_inputs)
    np.save(OUT_DIR / "test_labels.npy", test_labels)
    np.save(OUT_DIR / "snntorch_output_spikes_f32.npy", spk32)
    np.save(OUT_DIR / "snntorch_output_spikes_f64.npy", spk64)

    write_readme(acc32, acc64, n_differ, spk32.size, rates, len(test_labels), len(x_train))
    print(f"wrote fixture files to {OUT_DIR}")


def write_readme(acc32: float, acc64: float, n_differ: int, n_entries: int,
                 rates: dict[str, float], n_test: int, n_train: int) -> None:
    torch_release = torch.__version__.split("+")[0]
    rate_text = ", ".join(f"{k} {v:.3f}" for k, v in rates.items())
    text = f"""# digits_conv: convolutional example spiking network (snnTorch -> NIR)

A small convolutional spiking network trained with snnTorch on scikit-learn's
offline 8x8 digits data set and exported with snnTorch's own `export_to_nir`.
Generated by `train_digits_conv.py` in this folder, except the section
"Compiled with snnc" (measured with snnc, which the training venv lacks), which
the script keeps when it rewrites this file.

| file | content |
| --- | --- |
| `digits_conv.nir` | trained network as a NIR graph: `input [1,8,8] -> conv1 (Conv2d 1->{C1}, 3x3, pad 1) -> lif1 (LIF [{C1},8,8]) -> pool1 (AvgPool2d 2) -> conv2 (Conv2d {C1}->{C2}, 3x3, pad 1) -> lif2 (LIF [{C2},4,4]) -> pool2 (AvgPool2d 2) -> flatten -> fc (Affine {C2 * 4}->{N_OUT}) -> lif3 (LIF {N_OUT}) -> output` |
| `test_inputs.npy` | uint8 [{n_test}, {T}, 1, 8, 8] input spikes (0/1) of the test set |
| `test_labels.npy` | uint8 [{n_test}] digit labels of the test set |
| `snntorch_output_spikes_f32.npy` | uint8 [{n_test}, {T}, {N_OUT}] output spikes of snnTorch's float32 model (as trained) |
| `snntorch_output_spikes_f64.npy` | uint8 [{n_test}, {T}, {N_OUT}] output spikes of a float64 copy (`.double()`) of the model |

## Results

- test accuracy, float32 snnTorch: **{acc32:.4f}** ({n_test} test samples)
- test accuracy, float64 snnTorch: {acc64:.4f}
- float32 vs float64 output spikes: {n_differ} of {n_entries} entries differ
- mean spike rate of each LIF layer (float32, test set): {rate_text}

Classification: argmax of output spike counts over the {T} steps (ties go to
the lowest index, as `np.argmax`).

## Run details

- data: `sklearn.datasets.load_digits()`, {n_train} train / {n_test} test,
  `train_test_split(test_size={TEST_SIZE}, random_state={SPLIT_SEED}, stratify=y)`
  (the split of `examples/models/digits`)
- encoding: T={T} steps, Bernoulli spikes with p = pixel/16;
  numpy `default_rng({TEST_ENCODE_SEED})` for the test set,
  `default_rng({TRAIN_ENCODE_SEED})` (fresh draws each epoch) for training; drawn in
  the dense example's [N, T, 64] layout and reshaped, so `test_inputs.npy` holds
  the same spikes as `examples/models/digits/test_inputs.npy`
- neurons: `snn.Leaky`, beta={BETA}, threshold={THRESHOLD}, reset by
  subtraction (snnTorch's delayed reset: the previous step's spike is
  subtracted), state zeroed before every sample; beta/threshold are given
  per neuron, in the layer's shape, so that the exported NIR `LIF` parameters
  have that shape
- pooling: `torch.nn.AvgPool2d(2)`, exported as NIR `AvgPool2d` (NIR has no max
  pooling; snnTorch's exporter knows no sum pooling)
- training: `snntorch.functional.ce_count_loss`, Adam lr={LR},
  batch {BATCH_SIZE}, {EPOCHS} epochs, `torch.manual_seed({TORCH_SEED})`,
  1 CPU thread, deterministic algorithms
- NIR semantics (snnTorch exporter): dt = 1e-4, tau = dt/(1-beta),
  r = tau/dt, v_leak = 0, v_reset = 0; i.e. per step
  v = beta*v + I - threshold*s_prev, s = (v > threshold)
- versions: python {platform.python_version()}, torch {torch.__version__},
  snntorch {snn.__version__}, nirtorch {nirtorch.__version__},
  nir {nir.__version__}, numpy {np.__version__},
  scikit-learn {sklearn.__version__}

## Regenerate

```
python -m venv venv
venv/bin/pip install torch=={torch_release} nir=={nir.__version__} numpy h5py scikit-learn
venv/bin/pip install --no-deps snntorch=={snn.__version__} nirtorch=={nirtorch.__version__}
venv/bin/python examples/models/digits_conv/train_digits_conv.py
```

A CPU build of torch is enough (training takes about 15 seconds on one thread).
Other torch versions may give slightly different weights. Rerunning
reproduces all `.npy` files byte for byte; `digits_conv.nir` gets the same
content but differs in HDF5 timestamps.
"""
    readme = OUT_DIR / "README.md"
    if readme.exists():  # keep the hand-written snnc section
        old = readme.read_text()
        at = old.find(SNNC_SECTION)
        if at >= 0:
            text += "\n" + old[at:]
    readme.write_text(text)


if __name__ == "__main__":
    # nirtorch orders the exported edges by string hashing: a fixed hash seed
    # makes digits_conv.nir's content the same on every run
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    main()
