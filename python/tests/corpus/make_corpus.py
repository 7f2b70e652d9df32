"""Writes the bad-input corpus: NIR files (and not-NIR files) that must be
rejected with a one-line error naming the file, the node where there is one, and
the problem. Run from the repository root:

    python python/tests/corpus/make_corpus.py

It writes <case>.nir files beside itself and expected.json (which also lists
the files scripts/fuzz.py found, kept as found: hdf5_library_crash.nir, a mutated
file on which libhdf5 itself segfaults, hdf5_library_hang.nir, one on which it
loops forever, and recurrent_shape_mismatch.nir, a cycle
whose edge into the neuron carries the wrong size): for each case the
node the message must name (or null) and words it must contain. Inputs that
are not bad (odd but valid names) are in test_robustness.py, not here.
"""
import json
import os

import h5py
import nir
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(0)


def lif(n, **overrides):
    kw = dict(tau=np.full(n, 0.02), r=np.full(n, 20.0), v_leak=np.zeros(n),
              v_threshold=np.ones(n), v_reset=np.zeros(n))
    kw.update(overrides)
    return nir.LIF(**kw)


def affine(n_out, n_in):
    return nir.Affine(weight=RNG.normal(size=(n_out, n_in)), bias=np.zeros(n_out))


def io(n_in, n_out):
    return {"input": nir.Input(input_type={"input": np.array([n_in])}),
            "output": nir.Output(output_type={"output": np.array([n_out])})}


def chain(nodes, n_in=3, n_out=4):
    names = ["input"] + list(nodes) + ["output"]
    return {**io(n_in, n_out), **nodes}, list(zip(names[:-1], names[1:]))


def write_graph(name, nodes, edges):
    path = os.path.join(HERE, f"{name}.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    return path


def good(name):
    return write_graph(name, *chain({"fc": affine(4, 3), "lif": lif(4)}))


CASES = {}


def case(name, node, *words):
    def register(make):
        CASES[name] = (make, node, list(words))
        return make
    return register


@case("not_hdf5", None, "not a NIR file", "HDF5")
def _(path):
    with open(path, "w") as f:
        f.write("this is not a NIR file\n")


@case("truncated", None)
def _(path):
    source = good("_tmp")
    data = open(source, "rb").read()
    os.remove(source)
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])


@case("hdf5_not_nir", None, "not NIR")
def _(path):
    with h5py.File(path, "w") as f:
        f.create_dataset("weights", data=np.zeros(3))


@case("missing_dataset", "fc", "not a readable NIR file")
def _(path):
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        del f["node/nodes/fc/weight"]


@case("unknown_node_type", "fc", "not a readable NIR file")
def _(path):
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        del f["node/nodes/fc/type"]
        f["node/nodes/fc"].create_dataset("type", data=b"Banana")


@case("huge_dimensions", "fc", "elements", "limit")
def _(path):
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        del f["node/nodes/fc/weight"]
        # Metadata only: a chunked dataset with no data written stays tiny on disk.
        f["node/nodes/fc"].create_dataset("weight", shape=(100000, 100000), dtype="f4",
                                          chunks=(1, 1024))


@case("edge_to_unknown_node", None, "unknown node", "ghost")
def _(path):
    nodes, edges = chain({"fc": affine(4, 3), "lif": lif(4)})
    write_graph_to(path, nodes, edges + [("lif", "ghost")])


@case("dangling_node", "lonely", "lonely")
def _(path):
    nodes, edges = chain({"fc": affine(4, 3), "lif": lif(4)})
    nodes["lonely"] = lif(4)
    write_graph_to(path, nodes, edges)


@case("shape_mismatch", "fc", "weight", "columns")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 5), "lif": lif(4)}))


@case("nan_parameter", "lif", "NaN")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "lif": lif(4, v_threshold=np.array(
        [1.0, np.nan, 1.0, 1.0]))}))


@case("inf_weight", "fc", "Inf")
def _(path):
    fc = affine(4, 3)
    fc.weight[1, 1] = np.inf
    write_graph_to(path, *chain({"fc": fc, "lif": lif(4)}))


@case("negative_tau", "lif", "tau", "positive")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "lif": lif(4, tau=np.full(4, -0.02))}))


@case("zero_tau", "lif", "tau", "positive")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "lif": lif(4, tau=np.zeros(4))}))


@case("no_input", None, "Input")
def _(path):
    nodes, _ = chain({"fc": affine(4, 3), "lif": lif(4)})
    del nodes["input"]
    write_graph_to(path, nodes, [("fc", "lif"), ("lif", "output")])


@case("no_output", None, "Output")
def _(path):
    nodes, _ = chain({"fc": affine(4, 3), "lif": lif(4)})
    del nodes["output"]
    write_graph_to(path, nodes, [("input", "fc"), ("fc", "lif")])


@case("algebraic_loop", "a", "algebraic loop")
def _(path):
    nodes = {**io(2, 2), "a": nir.Linear(weight=np.eye(2)), "b": nir.Linear(weight=np.eye(2))}
    write_graph_to(path, nodes, [("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")])


@case("names_collide_after_sanitizing", "lif_1", "collides", "lif.1")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "lif.1": lif(4), "lif_1": lif(4)}))


@case("delay_not_multiple_of_dt", "d", "multiple of dt")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "d": nir.Delay(delay=np.full(4, 1.5e-3))}))


def write_graph_to(path, nodes, edges):
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))


def main():
    expected = {"hdf5_library_crash.nir": {"node": None,
                                           "words": ["damaged file", "HDF5 library"]},
                "hdf5_library_hang.nir": {"node": None,
                                          "words": ["damaged file", "did not finish"]},
                "recurrent_shape_mismatch.nir": {"node": "lif0",
                                                 "words": ["receives [1] from 'linear1'",
                                                           "expects [2]"]}}
    for name, (make, node, words) in CASES.items():
        path = os.path.join(HERE, f"{name}.nir")
        if os.path.exists(path):
            os.remove(path)
        make(path)
        expected[f"{name}.nir"] = {"node": node, "words": words}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
