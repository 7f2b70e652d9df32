"""Reading an untrusted NIR file: only what is stored inside it, within limits.

A NIR file is HDF5, and HDF5 can point elsewhere: a dataset's bytes may live in
another file (external storage), a link may lead into another file (external
link) or a dataset may be assembled from others (virtual dataset). h5py follows
all of them transparently, so a "weight" could be /proc/self/environ. This
module walks the file's links and datasets from their metadata alone and
refuses anything that is not data stored inside the file, before one byte of
data is read; it also checks every declared size against the limits below, so
that memory is bounded by what the file declares. Then it reads the graph with
nir's own dictionary reader, from the same open file.

The read runs in a forked child (POSIX): libhdf5 itself can crash or loop on a
damaged file (both found by fuzzing), and its decompression filters grow their
buffers past the declared size, so the child also runs under an address-space
limit derived from the declared sizes.
"""
from __future__ import annotations

import math
import os

import numpy as np

from ..errors import SNNCError

# Limits checked before anything is read into memory. A network beyond them
# could not become code that fits anywhere C runs sensibly (2^24 weights are
# 64 MiB at f32), and compiling one would take gigabytes.
MAX_ARRAY_ELEMENTS = 1 << 24    # one array
MAX_TOTAL_ELEMENTS = 1 << 24    # all arrays of the file together
MAX_STRING_BYTES = 1 << 12      # one fixed-length string (a node type, a name)
MAX_FILE_BYTES = 1 << 28        # the file (bounds variable-length strings too)
MAX_NODES = 1 << 14             # nodes, subgraphs' nodes included
MAX_NESTING = 32                # subgraphs inside subgraphs
MAX_LAYER_ELEMENTS = 1 << 24    # one layer's output (state, temporaries)

# HDF5's built-in filters. Any other filter id makes libhdf5 search its plugin
# directory and load a shared library: refused, so a file cannot choose code.
BUILTIN_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                   6: "scaleoffset"}

# Reading a damaged file can loop forever inside libhdf5 (found by fuzzing):
# the child gets this long (seconds; SNNC_READ_TIMEOUT overrides).
READ_TIMEOUT = 60.0


def _node_of(parts):
    """('node', 'nodes', 'g', 'nodes', 'fc', 'weight') -> 'g.fc'."""
    names = [parts[i + 1] for i, part in enumerate(parts[:-1]) if part == "nodes"]
    return ".".join(names) or None


class _Scan:
    """The checks of one file, from its metadata alone."""

    def __init__(self, path, h5py):
        self.path = path
        self.h5py = h5py
        self.total_elements = 0
        self.declared_bytes = 0
        self.nodes = 0
        self.seen = {}  # object id -> the first path that reached it

    def fail(self, message, parts=()):
        raise SNNCError(message, path=self.path, node=_node_of(parts))

    def group(self, group, parts):
        h5py = self.h5py
        if parts.count("nodes") > MAX_NESTING + 1 or len(parts) > 2 * MAX_NESTING + 8:
            self.fail(f"subgraphs are nested more than {MAX_NESTING} deep; the limit is "
                      f"{MAX_NESTING}", parts)
        if parts and parts[-1] == "nodes":
            self.nodes += len(group)
            if self.nodes > MAX_NODES:
                self.fail(f"the file has more than {MAX_NODES} nodes; the limit is {MAX_NODES}")
        for key in group:
            inner = parts + (key,)
            shown = "/".join(inner)
            link = group.get(key, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                self.fail(f"'{shown}' is an external link to {link.filename!r}; snnc reads "
                          "only data stored inside the model file", inner)
            if isinstance(link, h5py.SoftLink):
                self.fail(f"'{shown}' is a soft link to {link.path!r}; NIR files hold no "
                          "links, and snnc follows none", inner)
            item = group.get(key)
            first = self.seen.setdefault(item.id, shown)
            if first != shown:
                self.fail(f"'{shown}' is the same HDF5 object as '{first}'; NIR files store "
                          "each group and array once", inner)
            if isinstance(item, h5py.Group):
                self.group(item, inner)
            elif isinstance(item, h5py.Dataset):
                self.dataset(item, inner)
            else:
                self.fail(f"'{shown}' is neither a group nor a dataset", inner)

    def dataset(self, dataset, parts):
        h5py = self.h5py
        name = parts[-1]
        plist = dataset.id.get_create_plist()
        layout = plist.get_layout()
        if layout == h5py.h5d.VIRTUAL:
            self.fail(f"array '{name}' is a virtual dataset (made of other datasets or "
                      "files); snnc reads only data stored inside the model file", parts)
        if plist.get_external_count() > 0:
            self.fail(f"array '{name}' keeps its data in an external file "
                      f"({plist.get_external(0)[0].decode(errors='replace')!r}); snnc reads "
                      "only data stored inside the model file", parts)
        if layout not in (h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED, h5py.h5d.COMPACT):
            self.fail(f"array '{name}' has an unknown storage layout {layout}", parts)
        for index in range(plist.get_nfilters()):
            filter_id = plist.get_filter(index)[0]
            if filter_id not in BUILTIN_FILTERS:
                self.fail(f"array '{name}' needs HDF5 filter {filter_id}, which is not "
                          "built into HDF5; snnc loads no filter plugins", parts)
        dtype = dataset.dtype
        string = h5py.check_string_dtype(dtype)
        if dtype.kind == "c":
            self.fail(f"array '{name}' is complex; NIR parameters are real numbers", parts)
        if string is None and dtype.kind not in "biuf":
            self.fail(f"array '{name}' has element type {dtype}, which NIR does not use",
                      parts)
        if string is not None and string.length is not None \
                and string.length > MAX_STRING_BYTES:
            self.fail(f"string '{name}' is {string.length} bytes long; the limit is "
                      f"{MAX_STRING_BYTES}", parts)
        size = int(dataset.size or 0)
        if size > MAX_ARRAY_ELEMENTS:
            self.fail(f"array '{name}' has {size} elements; the limit is "
                      f"{MAX_ARRAY_ELEMENTS}", parts)
        if layout == h5py.h5d.CHUNKED:
            chunk = int(np.prod(plist.get_chunk(), dtype=np.float64))
            if chunk > MAX_ARRAY_ELEMENTS:
                self.fail(f"array '{name}' is stored in chunks of {chunk} elements; the "
                          f"limit is {MAX_ARRAY_ELEMENTS}", parts)
        self.total_elements += size
        # Every array becomes float64 once read (graph.py), whatever it is stored as.
        self.declared_bytes += size * max(dtype.itemsize, 8)
        if self.total_elements > MAX_TOTAL_ELEMENTS:
            self.fail(f"the file holds more than {MAX_TOTAL_ELEMENTS} array elements "
                      f"(reached at '{'/'.join(parts)}'); the limit is "
                      f"{MAX_TOTAL_ELEMENTS} in all", parts)


def _check_node_types(data, path, prefix=""):
    """Every node's type is one nir knows (nir itself only asserts it)."""
    import nir
    for name, node in (data.get("nodes") or {}).items():
        full = prefix + str(name)
        if not isinstance(node, dict):
            raise SNNCError("is not a group of parameters", path=path, node=full)
        node_type = node.get("type")
        if not isinstance(node_type, str):
            raise SNNCError("has no node type", path=path, node=full)
        try:
            nir.ir.str2NIRNode(node_type)
        except (AssertionError, KeyError):  # nir's own test of the type is an assert
            raise SNNCError(f"unknown node type {node_type!r}", path=path, node=full) from None
        if node_type == "NIRGraph":
            _check_node_types(node, path, full + ".")


def _failing_node(data):
    """Which node nir cannot build, found by building each node on its own."""
    import nir
    for name, node_dict in (data.get("nodes") or {}).items():
        try:
            nir.dict2NIRNode(dict(node_dict))
        except Exception:
            return name
    return None


def _first_line(exc) -> str:
    text = str(exc)
    return text.splitlines()[0] if text.strip() else type(exc).__name__


def _limit_memory(declared_bytes):
    """Caps the child's address space at what it has now plus a budget for the
    declared data: libhdf5's deflate filter grows its buffer until the stream
    ends, whatever the chunk's declared size, so a compressed chunk could
    otherwise expand without bound."""
    try:
        import resource
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmSize:"))
        current = int(line.split()[1]) * 1024
        budget = current + (1 << 30) + 8 * declared_bytes
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # no /proc (not Linux): the declared-size checks still hold


def _read_checked(path, limit_memory=False):
    """The checks and the read proper, from one open file."""
    import h5py
    import nir
    from nir.serialization import hdf2dict

    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise SNNCError(f"cannot read it ({exc.strerror})", path=path) from None
    if size > MAX_FILE_BYTES:
        raise SNNCError(f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}", path=path)
    try:
        with open(path, "rb") as probe:
            probe.read(1)
    except PermissionError:
        raise SNNCError("permission denied", path=path) from None
    except OSError as exc:
        raise SNNCError(f"cannot read it ({exc.strerror})", path=path) from None
    if not h5py.is_hdf5(path):
        raise SNNCError("not a NIR file (NIR files are HDF5)", path=path)
    try:
        f = h5py.File(path, "r")
    except Exception as exc:  # h5py raises many types for damaged files
        raise SNNCError(f"damaged HDF5 file ({_first_line(exc)})", path=path) from None
    with f:
        scan = _Scan(path, h5py)
        try:
            root = f.get("node", getlink=True)
            if root is None:
                raise SNNCError("an HDF5 file but not NIR: it has no 'node' group", path=path)
            scan.group(f, ())
            if not isinstance(f["node"], h5py.Group) or "nodes" not in f["node"]:
                raise SNNCError("an HDF5 file but not NIR: it has no 'node/nodes' group",
                                path=path)
        except SNNCError:
            raise
        except RecursionError:
            raise SNNCError(f"groups nested too deep; subgraphs may be nested up to "
                            f"{MAX_NESTING} deep", path=path) from None
        except Exception as exc:
            raise SNNCError(f"damaged HDF5 file ({_first_line(exc)})", path=path) from None
        if limit_memory:
            _limit_memory(scan.declared_bytes)
        try:
            data = hdf2dict(f["node"])
        except MemoryError:
            raise SNNCError("reading it needs more memory than its declared sizes allow "
                            "(a compressed array larger than declared?)", path=path) from None
        except Exception as exc:
            raise SNNCError(f"damaged HDF5 file ({_first_line(exc)})", path=path) from None
    if not isinstance(data, dict) or data.get("type") != "NIRGraph":
        raise SNNCError("an HDF5 file but not NIR: its 'node' is not a NIRGraph", path=path)
    _check_node_types(data, path)
    try:
        # No type checking: nir would then add Input/Output nodes to dangling
        # ends and reject shape mismatches without naming the node; the graph
        # is validated in graph.py instead, with errors that name the node.
        data["type_check"] = False
        return nir.dict2NIRNode(data)
    except Exception as exc:  # nir raises many types for malformed nodes
        detail = type(exc).__name__ if not str(exc).strip() else \
            f"{type(exc).__name__}: {_first_line(exc)}"
        raise SNNCError(f"not a readable NIR file ({detail})", path=path,
                        node=_failing_node(data)) from None


def read_timeout() -> float:
    """Seconds a NIR file may take to read: SNNC_READ_TIMEOUT, else READ_TIMEOUT."""
    text = os.environ.get("SNNC_READ_TIMEOUT")
    if text is None:
        return READ_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise SNNCError("SNNC_READ_TIMEOUT must be a positive number of seconds, "
                        f"got '{text}'")
    return seconds


def _read_with_deadline(fd, pid, path, timeout) -> bytes:
    import select
    import signal
    import time

    deadline = time.monotonic() + timeout
    chunks = []
    try:
        while True:
            remaining = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(remaining, 0))[0] if remaining > 0 else []
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise SNNCError(f"damaged file: reading it did not finish within {timeout:g} s",
                                path=path)
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def read_nir(path):
    """The nir.NIRGraph stored in PATH, or an SNNCError naming the file (and the
    node, where one is to blame). On POSIX the file is read in a forked child
    that sends the graph back; a child that dies or overruns the deadline
    becomes an error message instead of a crash or a hang."""
    import pickle

    path = os.fspath(path)
    if not os.path.exists(path):
        raise SNNCError("no such file", path=path)
    if not os.path.isfile(path):
        raise SNNCError("not a regular file", path=path)
    if not hasattr(os, "fork"):
        return _read_checked(path)
    timeout = read_timeout()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send (graph or error), exit without cleanup
        status = 0
        try:
            os.close(read_end)
            try:
                payload = ("graph", _read_checked(path, limit_memory=True))
            except SNNCError as exc:
                payload = ("error", (exc.problem, exc.node))
            data = pickle.dumps(payload)
            with os.fdopen(write_end, "wb") as f:
                f.write(data)
        except BaseException:
            status = 1
        os._exit(status)
    os.close(write_end)
    data = _read_with_deadline(read_end, pid, path, timeout)
    _, wait_status = os.waitpid(pid, 0)
    if not data or not os.WIFEXITED(wait_status) or os.WEXITSTATUS(wait_status) != 0:
        raise SNNCError("damaged file: the HDF5 library failed while reading it", path=path)
    kind, value = pickle.loads(data)
    if kind == "error":
        problem, node = value
        raise SNNCError(problem, path=path, node=node)
    return value
