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


@case("unknown_node_type", "fc", "unknown node type", "Banana")
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


# Hostile files: each tries to make the compiler read outside the file, use
# one node in place of another, or spend memory out of proportion to the file.

def _with_weight(path, make_weight):
    """A good file whose 'fc/weight' dataset is replaced by make_weight(group)."""
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        group = f["node/nodes/fc"]
        del group["weight"]
        make_weight(group)


@case("external_storage", "fc", "external file", "inside the model file")
def _(path):
    # The proof: a weight whose bytes are the compiling process's
    # environment. h5py writes nothing to the external file when no data is given.
    _with_weight(path, lambda g: g.create_dataset(
        "weight", shape=(4, 3), dtype="<f8", external=[("/proc/self/environ", 0, 96)]))


@case("external_link", "fc", "external link", "inside the model file")
def _(path):
    _with_weight(path, lambda g: g.__setitem__(
        "weight", h5py.ExternalLink("weights_elsewhere.h5", "/weight")))


@case("virtual_dataset", "fc", "virtual dataset", "inside the model file")
def _(path):
    def make(group):
        layout = h5py.VirtualLayout(shape=(4, 3), dtype="f8")
        layout[:] = h5py.VirtualSource("weights_elsewhere.h5", "/weight", shape=(4, 3))
        group.create_virtual_dataset("weight", layout)
    _with_weight(path, make)


@case("soft_link", "fc", "soft link")
def _(path):
    _with_weight(path, lambda g: g.__setitem__("weight", h5py.SoftLink("/node/nodes/x/w")))


@case("one_array_linked_twice", "lif", "same HDF5 object")
def _(path):
    # Hard links let one stored array be read many times (and a group link to
    # its own parent makes a cycle): each object may be reached once.
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        del f["node/nodes/lif/tau"]
        f["node/nodes/lif/tau"] = f["node/nodes/lif/r"]


@case("group_linked_into_itself", "fc", "same HDF5 object")
def _(path):
    os.replace(good("_tmp"), path)
    with h5py.File(path, "a") as f:
        f["node/nodes/fc/loop"] = f["node/nodes/fc"]


@case("node_named_like_a_subgraph_node", "g.lif", "taken by", "rename one")
def _(path):
    # A top-level node literally named 'g.lif' beside subgraph g's own 'lif':
    # flattened, both would be 'g.lif', and one replaced the other silently.
    inner = {"input": nir.Input(input_type={"input": np.array([4])}), "lif": lif(4),
             "output": nir.Output(output_type={"output": np.array([4])})}
    sub = nir.NIRGraph(nodes=inner, edges=[("input", "lif"), ("lif", "output")],
                       type_check=False)
    nodes = {**io(3, 4), "fc": affine(4, 3), "g": sub,
             "g.lif": lif(4, v_threshold=np.full(4, 5.0))}
    write_graph_to(path, nodes, [("input", "fc"), ("fc", "g"), ("g", "g.lif"),
                                 ("g.lif", "output")])


@case("subgraphs_nested_too_deep", None, "nested", "limit is 32")
def _(path):
    node = lif(4)
    for _ in range(40):
        inner = {"input": nir.Input(input_type={"input": np.array([4])}), "x": node,
                 "output": nir.Output(output_type={"output": np.array([4])})}
        node = nir.NIRGraph(nodes=inner, edges=[("input", "x"), ("x", "output")],
                            type_check=False)
    write_graph_to(path, *chain({"fc": affine(4, 3), "deep": node}))


@case("complex_weight", "fc", "complex")
def _(path):
    _with_weight(path, lambda g: g.create_dataset(
        "weight", data=RNG.normal(size=(4, 3)) + 1j * RNG.normal(size=(4, 3))))


@case("too_many_elements_in_all", "fc2", "array elements", "in all")
def _(path):
    # Each array within the per-array limit, together beyond the total; the
    # arrays are declared, never written, so the file stays small.
    nodes, edges = chain({"fc": affine(4, 3), "fc2": affine(4, 4), "lif": lif(4)})
    write_graph_to(path, nodes, edges)
    with h5py.File(path, "a") as f:
        for name in ("fc", "fc2"):
            del f[f"node/nodes/{name}/weight"]
            f[f"node/nodes/{name}"].create_dataset("weight", shape=(4096, 3000), dtype="f4",
                                                   chunks=(1, 1024))


@case("compressed_beyond_the_limits", "fc1", "elements", "limit")
def _(path):
    # The 0.9 MB file: four 4095 x 4096 patterned weights, compressed.
    # Each is within the per-array limit; the total is not.
    weight = np.tile(np.array([0.25, -0.5], dtype=np.float32), (4095, 2048))
    nodes = {**io(4096, 4095)}
    edges, previous = [], "input"
    for i in range(4):
        name = "fc" if i == 0 else f"fc{i}"
        nodes[name] = nir.Linear(weight=np.zeros((1, 1)))
        edges.append((previous, name))
        previous = name
    edges.append((previous, "output"))
    write_graph_to(path, nodes, edges)
    with h5py.File(path, "a") as f:
        for name in [n for n in nodes if n.startswith("fc")]:
            del f[f"node/nodes/{name}/weight"]
            f[f"node/nodes/{name}"].create_dataset("weight", data=weight, compression="gzip",
                                                   compression_opts=9, chunks=(256, 4096))


@case("terminal_escape_in_node_name", "evil\\x1b[2J\\nname", "NaN")
def _(path):
    # A name that would clear the screen and start a new line if printed raw.
    write_graph_to(path, *chain({"fc": affine(4, 3), "evil\x1b[2J\nname": lif(
        4, v_threshold=np.full(4, np.nan))}))


@case("delay_not_multiple_of_dt", "d", "multiple of dt")
def _(path):
    write_graph_to(path, *chain({"fc": affine(4, 3), "d": nir.Delay(delay=np.full(4, 1.5e-3))}))


def write_graph_to(path, nodes, edges):
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))


def main():
    # Found by fuzzing; this one crashed libhdf5 until the metadata check
    # learned to refuse its mutated 'type' dataset before reading any data.
    expected = {"hdf5_library_crash.nir": {"node": "1",
                                           "words": ["array 'type'", "element type"]},
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
