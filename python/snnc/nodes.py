"""The node kinds snnc compiles: one table of what each kind is.

An entry holds the facts that the graph reader, the IR emitter, the
reference simulator, the quantizer and the benchmark share about a kind: the
NIR node type it comes from, the parameters it reads, the state it keeps, its
category, whether its output is spikes, and how an integer model treats it.

What a module *does* with a kind stays in that module, in a `PerKind` table
its functions register themselves in: emitter.EMITTERS (the snn op),
reference.FLOAT_STEPS and reference.INTEGER_STEPS (one numpy step). The
reference's arithmetic is its own, written apart from the emitter's and the
quantizer's: only the facts below are shared. test_node_registry.py checks
that every kind has all of them; docs/adding-a-node.md walks through adding one.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Callable, Dict, Optional, Tuple, Union

# Categories: what a node does to the values that reach it.
SYNAPSE = "synapse"          # dense weights: W x (+ b)
CONVOLUTION = "convolution"  # weights over windows of an image or a sequence
POOLING = "pooling"          # sums or averages over windows
RESHAPE = "reshape"          # the same values in another shape
DELAY = "delay"              # the values of some steps ago: a buffer of state
ELEMENTWISE = "elementwise"  # memoryless, element by element
NEURON = "neuron"            # a membrane (and maybe a current) kept from step to step
# Categories whose parameters hold one value per element of the input (NIR
# writes them as [n], [1] or []: the graph reader broadcasts them).
PER_ELEMENT_CATEGORIES = (ELEMENTWISE, DELAY, NEURON)


class Quantization(enum.Enum):
    """How an integer model (--precision int8/int16, quantize.py) treats a kind."""

    # Weights and bias at one scale per output channel; an int32 accumulator.
    WEIGHT_SCALES = "weight scales"
    # One scale for all of the layer's state (membrane, synaptic current).
    STATE_SCALE = "state scale"
    # Passes integer values on unchanged: no scale of its own.
    PASSES_VALUES = "passes values"
    # Sums the spikes of each window into whole counts (int8, scale 1); an
    # average's 1 / (KH KW) is folded into the weights of the synapses it feeds.
    COUNTS_SPIKES = "counts spikes"


@dataclasses.dataclass(frozen=True)
class NotQuantizable:
    """A kind integer models refuse (quantize.check_quantizable), and why."""

    reason: str


@dataclasses.dataclass(frozen=True)
class NodeKind:
    kind: str                 # Layer.kind, e.g. "lif"
    nir_type: str             # the NIR node class, e.g. "LIF"
    category: str
    # The NIR node's fields the graph reader takes; Layer.params holds them
    # (convolutions and pools also hold their window geometry, graph.py).
    params: Tuple[str, ...]
    quantization: Union[Quantization, NotQuantizable]
    # StateField roles, in the state struct's order. A spiking neuron also
    # keeps its last spikes ("spike") under --reset subtract-delayed; a delay
    # keeps a "buffer" only when some element is delayed by a step or more.
    states: Tuple[str, ...] = ()
    spikes: bool = False      # its output is spikes (0 or 1, or counts)
    # A leaky membrane's time constant (the parameter NIR names it by); None:
    # the membrane integrates without leak (v' = v + r dt I).
    membrane_tau: Optional[str] = None

    @property
    def has_current(self) -> bool:
        """A synaptic current between input and membrane (CUBA neurons)."""
        return "i_syn" in self.states

    @property
    def fires(self) -> bool:
        """A neuron that thresholds its membrane, resets it and emits spikes."""
        return self.category == NEURON and self.spikes


_NO_INTEGER_ELEMENTWISE = "elementwise nodes have no integer lowering yet"

_ENTRIES = (
    NodeKind("affine", "Affine", SYNAPSE, ("weight", "bias"), Quantization.WEIGHT_SCALES),
    NodeKind("linear", "Linear", SYNAPSE, ("weight",), Quantization.WEIGHT_SCALES),
    NodeKind("conv1d", "Conv1d", CONVOLUTION,
             ("weight", "bias", "stride", "padding", "dilation", "groups"),
             Quantization.WEIGHT_SCALES),
    NodeKind("conv2d", "Conv2d", CONVOLUTION,
             ("weight", "bias", "stride", "padding", "dilation", "groups"),
             Quantization.WEIGHT_SCALES),
    NodeKind("sumpool2d", "SumPool2d", POOLING, ("kernel_size", "stride", "padding"),
             Quantization.COUNTS_SPIKES),
    NodeKind("avgpool2d", "AvgPool2d", POOLING, ("kernel_size", "stride", "padding"),
             Quantization.COUNTS_SPIKES),
    NodeKind("flatten", "Flatten", RESHAPE, ("start_dim", "end_dim"),
             Quantization.PASSES_VALUES),
    NodeKind("delay", "Delay", DELAY, ("delay",), Quantization.PASSES_VALUES,
             states=("buffer",)),
    NodeKind("scale", "Scale", ELEMENTWISE, ("scale",),
             NotQuantizable(_NO_INTEGER_ELEMENTWISE)),
    NodeKind("threshold", "Threshold", ELEMENTWISE, ("threshold",),
             NotQuantizable(_NO_INTEGER_ELEMENTWISE), spikes=True),
    NodeKind("integrator", "I", NEURON, ("r",), Quantization.STATE_SCALE, states=("v",)),
    NodeKind("if", "IF", NEURON, ("r", "v_threshold", "v_reset"), Quantization.STATE_SCALE,
             states=("v",), spikes=True),
    NodeKind("li", "LI", NEURON, ("tau", "r", "v_leak"), Quantization.STATE_SCALE,
             states=("v",), membrane_tau="tau"),
    NodeKind("lif", "LIF", NEURON, ("tau", "r", "v_leak", "v_threshold", "v_reset"),
             Quantization.STATE_SCALE, states=("v",), spikes=True, membrane_tau="tau"),
    NodeKind("cubali", "CubaLI", NEURON, ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
             Quantization.STATE_SCALE, states=("i_syn", "v"), membrane_tau="tau_mem"),
    NodeKind("cubalif", "CubaLIF", NEURON,
             ("tau_syn", "tau_mem", "r", "v_leak", "w_in", "v_threshold", "v_reset"),
             Quantization.STATE_SCALE, states=("i_syn", "v"), spikes=True,
             membrane_tau="tau_mem"),
)

KINDS: Dict[str, NodeKind] = {entry.kind: entry for entry in _ENTRIES}
BY_NIR_TYPE: Dict[str, NodeKind] = {entry.nir_type: entry for entry in _ENTRIES}


def kinds_where(condition: Callable[[NodeKind], bool]) -> Tuple[str, ...]:
    """The kinds whose entry meets `condition`, in the table's order."""
    return tuple(entry.kind for entry in _ENTRIES if condition(entry))


SYNAPSES = kinds_where(lambda entry: entry.category == SYNAPSE)
NEURONS = kinds_where(lambda entry: entry.category == NEURON)
SPIKING_NEURONS = kinds_where(lambda entry: entry.fires)
# Pools whose output is the window's mean rather than its sum.
AVERAGING_POOLS = ("avgpool2d",)
CURRENT_NEURONS = kinds_where(lambda entry: entry.has_current)


class PerKind:
    """One module's function for each kind, registered with a decorator:

        FLOAT_STEPS = nodes.PerKind("reference step")

        @FLOAT_STEPS.register("if", "lif")
        def _step_firing(...): ...

    Registering a kind the table does not know, or one kind twice, is an
    error at import."""

    def __init__(self, what: str):
        self.what = what
        self._functions: Dict[str, Callable] = {}

    def register(self, *kinds: str):
        def decorate(function):
            for kind in kinds:
                if kind not in KINDS:
                    raise ValueError(f"{self.what} for '{kind}', which is not a kind of "
                                     "snnc.nodes.KINDS")
                if kind in self._functions:
                    raise ValueError(f"two {self.what}s for '{kind}'")
                self._functions[kind] = function
            return function
        return decorate

    def __getitem__(self, kind: str) -> Callable:
        return self._functions[kind]

    def __contains__(self, kind: str) -> bool:
        return kind in self._functions

    def kinds(self) -> Tuple[str, ...]:
        return tuple(self._functions)
