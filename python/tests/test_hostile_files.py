"""Model files made by an attacker (docs/robustness.md, threat model).

The corpus files of each class are checked by test_robustness.py (one clean
line, nothing written); these tests check what a message cannot show: that no
byte from outside the model file reaches the output, that a node never stands
in for another, that valid names the C side cannot use as they are still
compile, and that the reader's last line of defence (the forked child) holds.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import h5py
import nir
import numpy as np
import pytest

from snnc import SNNCError, api
from snnc.frontend import nirfile

MARKER = b"SNNC-SECRET-7f3a9c"


def snnc(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "snnc", *args], capture_output=True,
                          text=True, **kwargs)


def lif(n, threshold=1.0):
    return nir.LIF(tau=np.full(n, 0.02), r=np.full(n, 20.0), v_leak=np.zeros(n),
                   v_threshold=np.full(n, threshold), v_reset=np.zeros(n))


def write_chain(path, named_nodes, n_in=3, n_out=4):
    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])}),
             "output": nir.Output(output_type={"output": np.array([n_out])}), **named_nodes}
    names = ["input", *named_nodes, "output"]
    nir.write(str(path), nir.NIRGraph(nodes=nodes, edges=list(zip(names[:-1], names[1:])),
                                      type_check=False))
    return str(path)


def small_model(path):
    weight = np.random.default_rng(0).normal(size=(4, 3))
    return write_chain(path, {"fc": nir.Affine(weight=weight, bias=np.zeros(4)),
                              "lif": lif(4)})


@pytest.fixture
def secret(tmp_path):
    """A file the attacker wants to read: 96 bytes that decode to finite
    doubles, so a reader that followed the pointer would compile them."""
    path = tmp_path / "secret.bin"
    values = np.frombuffer((MARKER * 6)[:96], dtype="<f8")
    assert np.all(np.isfinite(values))
    path.write_bytes((MARKER * 6)[:96])
    h5 = tmp_path / "secret.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset("weight", data=values.reshape(4, 3))
    return path, h5, values


def _replace_weight(path, make):
    with h5py.File(path, "a") as f:
        group = f["node/nodes/fc"]
        del group["weight"]
        make(group)


POINTERS = {
    "external storage": lambda g, s: g.create_dataset(
        "weight", shape=(4, 3), dtype="<f8", external=[(str(s[0]), 0, 96)]),
    "external link": lambda g, s: g.__setitem__("weight", h5py.ExternalLink(str(s[1]),
                                                                            "/weight")),
    "virtual dataset": lambda g, s: _virtual(g, s[1]),
}


def _virtual(group, source):
    layout = h5py.VirtualLayout(shape=(4, 3), dtype="f8")
    layout[:] = h5py.VirtualSource(str(source), "weight", shape=(4, 3))
    group.create_virtual_dataset("weight", layout)


@pytest.mark.parametrize("kind", sorted(POINTERS))
def test_no_byte_from_outside_the_file_reaches_the_output(kind, secret, tmp_path):
    path = small_model(tmp_path / "m.nir")
    _replace_weight(path, lambda g: POINTERS[kind](g, secret))
    # h5py itself follows the pointer: the attack is real.
    with h5py.File(path, "r") as f:
        assert np.array_equal(f["node/nodes/fc/weight"][()].reshape(-1), secret[2])
    out = tmp_path / "out"
    result = snnc("compile", path, "-o", str(out), "--name", "m", "--dt", "1e-3",
                  cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "node 'fc'" in result.stderr
    assert "inside the model file" in result.stderr
    assert not out.exists()
    shown = (result.stdout + result.stderr).encode()
    assert MARKER not in shown and b"SNNC-SECRET" not in shown
    # The other entry points refuse it too.
    with pytest.raises(SNNCError, match="inside the model file"):
        api.run(path, np.zeros((2, 3)), backend="reference", dt=1e-3)


def test_the_same_weight_stored_inside_the_file_compiles(secret, tmp_path):
    """The control for the test above: stored inline, the same values compile
    (so the refusal is about where the bytes are, not what they are)."""
    path = small_model(tmp_path / "m.nir")
    _replace_weight(path, lambda g: g.create_dataset("weight", data=secret[2].reshape(4, 3)))
    files = api.generate(path, name="m", dt=1e-3, precision="f64")  # 1.7e160 needs f64
    assert "m_step" in files["m.c"]


def test_a_compressed_weight_stored_inside_the_file_compiles(tmp_path):
    path = small_model(tmp_path / "m.nir")
    weight = np.random.default_rng(3).normal(size=(4, 3))
    _replace_weight(path, lambda g: g.create_dataset("weight", data=weight, compression="gzip",
                                                     shuffle=True, fletcher32=True,
                                                     chunks=(2, 3)))
    x = np.random.default_rng(4).random((6, 3))
    np.testing.assert_array_equal(api.run(path, x, dt=1e-3, precision="f64"),
                                  api.run(path, x, backend="reference", dt=1e-3,
                                          precision="f64"))


def test_a_top_level_node_never_replaces_a_subgraph_node(tmp_path):
    """'g.lif' at the top and subgraph g's 'lif' would both flatten to 'g.lif';
    whichever order the file lists them in, the compiler refuses."""
    inner = {"input": nir.Input(input_type={"input": np.array([4])}), "lif": lif(4),
             "output": nir.Output(output_type={"output": np.array([4])})}
    for order in (("g", "g.lif"), ("g.lif", "g")):
        nodes = {"input": nir.Input(input_type={"input": np.array([3])}),
                 "output": nir.Output(output_type={"output": np.array([4])}),
                 "fc": nir.Affine(weight=np.ones((4, 3)), bias=np.zeros(4))}
        made = {"g": nir.NIRGraph(nodes=dict(inner), edges=[("input", "lif"),
                                                            ("lif", "output")],
                                  type_check=False),
                "g.lif": lif(4, threshold=5.0)}
        for name in order:
            nodes[name] = made[name]
        path = str(tmp_path / f"{order[0]}.nir")
        nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("input", "fc"), ("fc", "g"),
                                                         ("g", "g.lif"), ("g.lif", "output")],
                                     type_check=False))
        with pytest.raises(SNNCError, match=r"node 'g\.lif'.*taken by.*rename one"):
            api.generate(path, name="m", dt=1e-3)


def test_a_dotted_name_without_a_subgraph_is_an_ordinary_node(tmp_path):
    path = write_chain(tmp_path / "dots.nir", {
        "fc": nir.Affine(weight=np.random.default_rng(5).normal(size=(4, 3)) * 3,
                         bias=np.zeros(4)),
        "g.lif": lif(4)})
    x = np.random.default_rng(6).random((20, 3))
    out = api.run(path, x, dt=1e-3, precision="f64")
    assert out.sum() > 0
    np.testing.assert_array_equal(out, api.run(path, x, backend="reference", dt=1e-3,
                                               precision="f64"))


# Names that differ in NIR but sanitize to the same C identifier, in pairs.
COLLIDING_NAMES = ["1st-layer", "1st.layer", "α", "β", "int", "int_", "lif_1", "lif.1"]


def test_names_that_sanitize_alike_get_distinct_c_names(tmp_path):
    rng = np.random.default_rng(7)
    nodes, width = {}, 3
    for i, name in enumerate(COLLIDING_NAMES):
        if i % 2 == 0:
            nodes[name] = nir.Affine(weight=rng.uniform(0.2, 1.0, size=(4, width)),
                                     bias=np.zeros(4))
            width = 4
        else:
            nodes[name] = lif(4, threshold=0.5 + 0.1 * i)
    path = write_chain(tmp_path / "names.nir", nodes)
    header = api.generate(path, name="m", dt=1e-3)["m.h"]
    assert api.generate(path, name="m", dt=1e-3)["m.h"] == header  # deterministic
    # The state fields (the scratch arrays after them name no node).
    fields = [line.split()[1].split("[")[0] for line in header.splitlines()
              if line.startswith("  float ") and "/* of node" in line]
    assert len(fields) == len(set(fields)) == 4, header
    # Each state field says, beside it, which NIR node it belongs to.
    for name in COLLIDING_NAMES[1::2]:
        assert any(f"'{name}'" in line for line in header.splitlines()
                   if line.startswith("  float ")), (name, header)
    # A node whose name is a C identifier keeps it (the Affine 'lif_1'), so the
    # LIF 'lif.1' takes the next free suffix.
    assert "  float lif_1_2_v[4]; /* of node 'lif.1' */" in header
    x = rng.random((30, 3))
    out, states = api.run_c(path, x, dt=1e-3, precision="f64", record_states=True)
    assert out.sum() > 0 and len(states) == 4
    np.testing.assert_array_equal(out, api.run(path, x, backend="reference", dt=1e-3,
                                               precision="f64"))


def test_the_reader_survives_a_crash_inside_libhdf5(monkeypatch, tmp_path):
    """libhdf5 has crashed on damaged files (found by fuzzing); the file is read
    in a forked child, whose death becomes an error. The known crashing file is
    now refused from its metadata before libhdf5 reaches the crash, so the
    child's death is provoked here directly."""
    path = small_model(tmp_path / "m.nir")
    # SIGKILL, not abort(): the child's faulthandler would print pytest's stack.
    monkeypatch.setattr(nirfile, "_read_checked",
                        lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(SNNCError, match="the HDF5 library failed while reading it"):
        nirfile.read_nir(path)


def _read_as_nobody(path) -> str:
    """The reader's message for PATH, read by user nobody in a forked child
    (root reads any file, so EACCES needs another user; the child keeps the
    modules already imported, so it needs no access to this installation)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                nirfile._read_checked(path)
                message = "read without error"
            except SNNCError as exc:
                message = str(exc)
            os.write(write_end, message.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        message = f.read().decode()
    os.waitpid(pid, 0)
    return message


def test_an_unreadable_file_says_permission_denied(tmp_path):
    # A directory every user may enter (pytest's own is private to its user).
    folder = tempfile.mkdtemp()
    try:
        os.chmod(folder, 0o755)
        path = small_model(os.path.join(folder, "m.nir"))
        os.chmod(path, 0)
        if os.geteuid() == 0:
            message = _read_as_nobody(path)
        else:
            with pytest.raises(SNNCError) as refused:
                nirfile._read_checked(path)
            message = str(refused.value)
    finally:
        shutil.rmtree(folder)
    assert message.endswith("m.nir: permission denied"), message


def test_a_compression_bomb_is_stopped_by_the_declared_sizes(tmp_path):
    """A 12-element weight whose one gzip chunk inflates to 3 GiB (a 3 MB file):
    libhdf5's deflate filter grows its buffer until the stream ends, whatever
    the chunk's declared size. The reading child's address space is capped
    from the declared sizes, so the compile fails cleanly with far less memory
    (about 3.2 GB when read without the cap)."""
    import zlib
    path = small_model(tmp_path / "bomb.nir")
    deflate = zlib.compressobj(1)
    block = bytes(64 << 20)
    data = b"".join([deflate.compress(block) for _ in range(48)] + [deflate.flush()])
    with h5py.File(path, "a") as f:
        group = f["node/nodes/fc"]
        del group["weight"]
        weight = group.create_dataset("weight", shape=(4, 3), dtype="f8", chunks=(4, 3),
                                      compression="gzip")
        weight.id.write_direct_chunk((0, 0), data)
    out = tmp_path / "out"
    measure = ("import resource, subprocess, sys; "
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "print(r.stderr, end='')")
    result = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "snnc",
                             "compile", path, "-o", str(out), "--name", "m", "--dt", "1e-3"],
                            capture_output=True, text=True)
    status, peak_kib = result.stdout.splitlines()[0].split()
    message = result.stdout.splitlines()[1]
    assert status == "1" and message.startswith("snnc: error: ") and "node" not in message
    assert "Traceback" not in result.stdout
    assert int(peak_kib) < 2 * 1024 * 1024, peak_kib  # KiB: under 2 GiB
    assert not out.exists()


def test_node_names_cannot_break_out_of_the_header_comments(tmp_path):
    """The header names each state field's NIR node in a comment: a name with a
    newline, a trigraph or a terminal escape must stay inside it. (HDF5 names
    cannot hold '/', so neither `*/` nor `??/` can reach a comment.)"""
    name = "x*\n int evil; ??= \x1b[2J"
    path = write_chain(tmp_path / "m.nir", {
        "fc": nir.Affine(weight=np.ones((4, 3)), bias=np.zeros(4)), name: lif(4)})
    out = tmp_path / "out"
    api.compile(path, str(out), name="m", dt=1e-3)
    header = (out / "m.h").read_text()
    result = subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                             "-trigraphs", "-c", str(out / "m.c"), "-o", str(out / "m.o")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    struct = header[header.index("typedef struct m_state"):header.index("} m_state;")]
    # The one state field, before the scratch arrays and their comment.
    fields = [line for line in struct.splitlines()[1:] if line.strip()]
    fields = fields[:fields.index("  /* Scratch: the step's temporaries, no value of which "
                                  "outlives a step;")]
    assert len(fields) == 1 and fields[0].startswith("  float x___int_evil_")
    assert "\\n int evil; ??= \\x1b[2J'" in fields[0], fields[0]


@pytest.mark.parametrize("limit,value,words", [
    ("MAX_NODES", 3, "more than 3 nodes"),
    ("MAX_FILE_BYTES", 1000, "bytes; the limit is 1000"),
    ("MAX_NESTING", 0, "nested more than 0 deep"),
    ("MAX_ARRAY_ELEMENTS", 11, "array 'weight' has 12 elements; the limit is 11"),
    ("MAX_TOTAL_ELEMENTS", 20, "more than 20 array elements"),
])
def test_each_limit_is_checked_before_reading(monkeypatch, tmp_path, limit, value, words):
    """The limits are large (docs/robustness.md); lowered here, each one must
    refuse a small file. Read in this process (no fork) so the lowered limit holds."""
    inner = {"input": nir.Input(input_type={"input": np.array([4])}), "lif": lif(4),
             "output": nir.Output(output_type={"output": np.array([4])})}
    sub = nir.NIRGraph(nodes=inner, edges=[("input", "lif"), ("lif", "output")],
                       type_check=False)
    path = write_chain(tmp_path / "m.nir", {
        "fc": nir.Affine(weight=np.ones((4, 3)), bias=np.zeros(4)), "g": sub})
    assert nirfile._read_checked(path) is not None  # within the real limits
    monkeypatch.setattr(nirfile, limit, value)
    with pytest.raises(SNNCError, match=words):
        nirfile._read_checked(path)
