"""The one table of snnc's options, from which the command line, the Python
API, CMake's add_snn_model() and Bazel's snn_library() take theirs.

Every option `foo_bar` is spelled `--foo-bar` on the command line, `foo_bar=`
in the API, `FOO_BAR` in add_snn_model() and `foo_bar =` in snn_library().
One exception, in the API only: `--no-opt` is `optimize=False`, because a
keyword argument reads better positive (and `optimize` predates this table).

The discretization options' choices and defaults are semantics' own (its
tuples and the Options dataclass): they are referenced here, not copied.
CMake and Starlark cannot import Python, so cmake/snncConfig.cmake and
rules/snn.bzl keep their own lists; python/tests/test_options_table.py checks
that those lists, and the docs, match this table exactly.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Optional, Tuple

from . import semantics

# What `snnc compile --emit` writes: the C files, or the IR at one of three
# points of the pipeline (not an option of the table: CMake and Bazel build C).
EMIT_KINDS = ("c", "mlir", "linalg", "emitc")

DISCRETIZATION = "discretization"  # NIR stores none of these; a preset sets several
GENERATED_CODE = "generated code"  # what the C computes with, and how it is lowered


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    help: str
    section: str
    # The values it takes (None: a number, a path, or a flag; see `type`).
    choices: Optional[Tuple[str, ...]] = None
    # str, float, or bool for a flag that takes no value.
    type: type = str
    # What applies when the option is not given; None: nothing (documented in `help`).
    default: Any = None
    metavar: Optional[str] = None
    # The API's keyword, when it is not `name`.
    api_name: Optional[str] = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def cmake_keyword(self) -> str:
        return self.name.upper()

    @property
    def bazel_attr(self) -> str:
        return self.name

    @property
    def keyword(self) -> str:
        """The Python API's keyword argument."""
        return self.api_name or self.name

    def help_text(self) -> str:
        """The help line, with the default when there is one."""
        if self.default is None:
            return self.help
        return f"{self.help} (default: {self.default})"


_OPTIONS_FIELDS = {field.name: field for field in dataclasses.fields(semantics.Options)}


def _discretization(name, help, section=DISCRETIZATION, **kwargs) -> Option:
    """An option that is a field of semantics.Options, with its choices and default."""
    default = _OPTIONS_FIELDS[name].default
    return Option(name, help, section, choices=semantics.CHOICES.get(name),
                  default=None if default is dataclasses.MISSING else default, **kwargs)


# In the order of `snnc compile --help`.
TABLE: Tuple[Option, ...] = (
    Option("preset", "defaults of the framework that exported the file (default: none)", DISCRETIZATION,
           choices=tuple(sorted(semantics.PRESETS))),
    _discretization("dt", "time step in seconds (NIR stores none: --dt or --preset is "
                          "required)", type=float, metavar="SECONDS"),
    _discretization("reset", "what a spike does to the membrane: set it to v_reset, subtract "
                             "the threshold, or subtract the threshold times the previous "
                             "step's spike"),
    _discretization("compare", "spike when v > threshold (gt) or v >= threshold (ge)"),
    _discretization("cuba_order", "CubaLI/CubaLIF: the membrane sees this step's synaptic "
                                  "current (current-first), the previous step's "
                                  "(voltage-first), or this step's input added before the "
                                  "current decays (joined)"),
    _discretization("tau_convention", "read tau as written (nir) or as Norse 1.1 writes it "
                                      "(dt / tau)"),
    _discretization("integrator", "forward Euler or exact exponential decay per step"),
    _discretization("spikes", "at most one spike per step (single) or floor(v/thr)"),
    _discretization("current_update", "synaptic current: i' = d i + g x (decay-then-add) "
                                      "or i' = d (i + g x)"),
    _discretization("input_gains", "input gains from NIR's r and w_in (nir) or 1 (unit)"),
    _discretization("spike_timing", "decide the spike after this step's update or from "
                                    "the membrane the step starts with"),
    _discretization("reset_timing", "IF/LIF with --spike-timing before-update: reset after "
                                    "the update or before it"),
    _discretization("cuba_reset_timing", "the same for CubaLIF"),
    _discretization("input_kind", "the network input as values or spikes: a positive input "
                                  "is one spike, anything else none"),
    _discretization("precision", "element type of the generated code; int8 and int16 "
                                 "quantize it to integer-only C", section=GENERATED_CODE),
    Option("calibrate", "integer models: choose state scales from the activity on these "
                        "inputs (default: from the parameters and weights)", GENERATED_CODE,
           metavar="IN.npy"),
    Option("no_opt", "the reference lowering only (no event-driven synapses; same results; "
                     "default: optimized)",
           GENERATED_CODE, type=bool, api_name="optimize"),
)

BY_NAME = {option.name: option for option in TABLE}
