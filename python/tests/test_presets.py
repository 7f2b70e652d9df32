"""Every preset, field by field, against what each framework's own source does.

FRAMEWORK_RULES below was written by hand from the frameworks' sources
(snnTorch 1.0.0, Norse 1.1.0, Rockpool 3.1.0, Sinabs 3.1.3, Spyx 1.0.0, the
versions the fixtures in fixtures/frameworks were made with), not from
snnc/semantics.py: each value cites the file and the function that decide it,
relative to the installed package's site-packages directory. A change to a
preset that is not a change in the framework fails here; so does a new option
that the table does not pin.

The citations themselves are checked against the frameworks' installed sources
by fixtures/frameworks/check_citations.py (the frameworks are not installed
where the tests run).
"""
from __future__ import annotations

import dataclasses

import pytest

from snnc import semantics
from snnc.semantics import Options, resolve_options

# Options that are not a framework's rule: the user's choice of generated code,
# and what the network input carries (NIR does not say). No preset sets them.
NOT_FRAMEWORK_RULES = ("precision", "input_kind")


@dataclasses.dataclass(frozen=True)
class Rule:
    value: object
    file: str        # relative to site-packages
    function: str    # "function" or "Class.method"
    code: str        # a fragment of that file that shows the rule ("" when none is quoted)
    why: str


FRAMEWORK_RULES = {
    # ---------------------------------------------------------------- snnTorch 1.0.0
    "snntorch": {
        "dt": Rule(1e-4, "snntorch/export_nir.py", "_extract_snntorch_module", "dt = 1e-4",
                   "the exporter writes tau = dt / (1 - beta), r = tau / dt with dt = 1e-4"),
        "reset": Rule("subtract-delayed", "snntorch/_neurons/leaky.py", "Leaky._base_sub",
                      "self.reset * self.threshold",
                      "Leaky.forward sets self.reset = mem_reset(previous mem) and _base_sub "
                      "subtracts reset * threshold from this step's membrane "
                      "(reset_delay=True by default); the stored mem is not reset"),
        "compare": Rule("gt", "snntorch/surrogate.py", "ATan.forward", "(input_ > 0)",
                        "SpikingNeuron.fire passes mem - threshold to the surrogate, whose "
                        "forward is (x > 0)"),
        "integrator": Rule("euler", "snntorch/_neurons/leaky.py",
                           "Leaky._base_state_function", "self.beta.clamp(0, 1) * self.mem",
                           "mem = beta mem + input, and beta = 1 - dt/tau for the exported tau"),
        "tau_convention": Rule("nir", "snntorch/export_nir.py", "_extract_snntorch_module",
                               "tau_mem = dt / (1 - beta)", "tau written as the time constant"),
        "cuba_order": Rule("current-first", "snntorch/_neurons/synaptic.py",
                           "Synaptic._base_state_function",
                           "base_fn_mem = self.beta.clamp(0, 1) * self.mem + base_fn_syn",
                           "the membrane adds this step's new current"),
        "current_update": Rule("decay-then-add", "snntorch/_neurons/synaptic.py",
                               "Synaptic._base_state_function",
                               "base_fn_syn = self.alpha.clamp(0, 1) * self.syn + input_",
                               "syn = alpha syn + input"),
        "input_gains": Rule("nir", "snntorch/export_nir.py", "_extract_snntorch_module",
                            "r = tau_mem / dt",
                            "r = tau/dt (w_in = tau_syn/dt) make NIR's gain r dt/tau = 1, "
                            "snnTorch's"),
        "spikes": Rule("single", "snntorch/surrogate.py", "ATan.forward", "(input_ > 0).float()",
                       "one spike at most"),
        "spike_timing": Rule("after-update", "snntorch/_neurons/leaky.py", "Leaky.forward",
                             "spk = self.fire(self.mem)",
                             "fires on the membrane just computed"),
        "reset_timing": Rule("after-update", "snntorch/_neurons/leaky.py", "Leaky.forward", "",
                             "(read only with spike_timing before-update)"),
        "cuba_reset_timing": Rule("after-update", "snntorch/_neurons/synaptic.py",
                                  "Synaptic.forward", "",
                                  "(read only with spike_timing before-update)"),
    },
    # ---------------------------------------------------------------- Norse 1.1.0
    "norse": {
        "dt": Rule(1e-3, "norse/torch/module/lif_box.py", "LIFBoxCell.__init__", "dt: float = 0.001",
                   "the cells' default step (to_nir's default dt too)"),
        "reset": Rule("value", "norse/torch/functional/lif.py", "lif_feed_forward_step",
                      "v_new = (1 - z_new) * v_decayed + z_new * p.v_reset", "set to v_reset"),
        "compare": Rule("gt", "norse/torch/functional/heaviside.py", "heaviside",
                        "torch.gt(data, torch.as_tensor(0.0))",
                        "threshold(v_decayed - v_th) is the heaviside of x > 0"),
        "integrator": Rule("euler", "norse/torch/functional/lif.py", "lif_feed_forward_step",
                           "dv = dt * p.tau_mem_inv * ((p.v_leak - state.v) + i_new)",
                           "v + dt/tau (v_leak - v + i)"),
        "tau_convention": Rule("norse-inverse", "norse/torch/utils/export_nir.py",
                               "_extract_norse_module", "tau_mem=dt / module.p.tau_mem_inv",
                               "writes dt / tau_mem_inv = dt * tau, not tau (Norse issue 411)"),
        "cuba_order": Rule("joined", "norse/torch/functional/lif.py", "lif_feed_forward_step",
                           "i_new = state.i + input_spikes",
                           "dv uses i_new: the current with this step's input added, before "
                           "di = -dt * tau_syn_inv * i_new decays it"),
        "current_update": Rule("add-then-decay", "norse/torch/functional/lif.py",
                               "lif_feed_forward_step", "di = -dt * p.tau_syn_inv * i_new",
                               "the input jumps into the current, which then decays"),
        "input_gains": Rule("nir", "norse/torch/utils/export_nir.py", "_extract_norse_module",
                            "r=torch.ones_like",
                            "r = 1 written (w_in not written: nir fills 1), the step's gains"),
        "spikes": Rule("single", "norse/torch/functional/heaviside.py", "heaviside",
                       ".to(data.dtype)", "0 or 1"),
        "spike_timing": Rule("after-update", "norse/torch/functional/lif.py",
                             "lif_feed_forward_step",
                             "z_new = threshold(v_decayed - p.v_th, p.method, p.alpha)",
                             "fires on the updated membrane"),
        "reset_timing": Rule("after-update", "norse/torch/functional/lif_box.py",
                             "lif_box_feed_forward_step", "",
                             "(read only with spike_timing before-update)"),
        "cuba_reset_timing": Rule("after-update", "norse/torch/functional/lif.py",
                                  "lif_feed_forward_step", "",
                                  "(read only with spike_timing before-update)"),
    },
    # ---------------------------------------------------------------- Rockpool 3.1.0
    "rockpool": {
        "dt": Rule(1e-3, "rockpool/nn/modules/torch/lif_torch.py", "LIFBaseTorch.__init__",
                   "dt: P_float = 1e-3", "LIFTorch's default step"),
        "reset": Rule("subtract", "rockpool/nn/modules/torch/lif_torch.py", "LIFBaseTorch.evolve",
                      "vmem = vmem - spikes * self.threshold",
                      "subtracts one threshold per spike"),
        "compare": Rule("ge", "rockpool/nn/modules/torch/lif_torch.py", "StepPWL.forward",
                        "(x >= threshold)", "fires at v >= threshold"),
        "integrator": Rule("exact", "rockpool/nn/modules/torch/lif_torch.py", "tau_to_decay",
                           "torch.exp(-dt / tau)", "decays are e^(-dt/tau)"),
        "tau_convention": Rule("nir", "rockpool/nn/modules/torch/nir.py", "_extract_rockpool_module",
                               "_to_numpy(module.tau_mem.squeeze())",
                               "tau_mem, tau_syn written as they are"),
        "cuba_order": Rule("current-first", "rockpool/nn/modules/torch/lif_torch.py",
                           "LIFBaseTorch.evolve", "vmem = vmem + isyn.sum(2)",
                           "the membrane adds the current after this step's input and decay"),
        "current_update": Rule("add-then-decay", "rockpool/nn/modules/torch/lif_torch.py",
                               "LIFBaseTorch.evolve", "isyn = isyn + input_data[:, t]",
                               "the input is added, then isyn *= beta"),
        "input_gains": Rule("unit", "rockpool/nn/modules/torch/lif_torch.py", "LIFBaseTorch.evolve",
                            "isyn *= self.beta",
                            "no factor on the input nor on the current: the exported "
                            "r = tau e^(-dt/tau)/dt and w_in play no role"),
        "spikes": Rule("multiple", "rockpool/nn/modules/torch/lif_torch.py", "StepPWL.forward",
                       "torch.floor(x / threshold)",
                       "floor(v / thr) spikes, at most max_spikes_per_dt = 2^16"),
        "spike_timing": Rule("after-update", "rockpool/nn/modules/torch/lif_torch.py",
                             "LIFBaseTorch.evolve", "spikes = self.spike_generation_fn(",
                             "fires on the updated membrane"),
        "reset_timing": Rule("after-update", "rockpool/nn/modules/torch/lif_torch.py",
                             "LIFBaseTorch.evolve", "", "(read only with spike_timing before-update)"),
        "cuba_reset_timing": Rule("after-update", "rockpool/nn/modules/torch/lif_torch.py",
                                  "LIFBaseTorch.evolve", "",
                                  "(read only with spike_timing before-update)"),
    },
    # ---------------------------------------------------------------- Sinabs 3.1.3
    "sinabs": {
        "dt": Rule(1.0, "sinabs/layers/lif.py", "LIF.alpha_mem_calculated",
                   "torch.exp(-1.0 / self.tau_mem)", "tau counts time steps: alpha = e^(-1/tau)"),
        "reset": Rule("subtract", "sinabs/activation/reset_mechanism.py", "MembraneSubtract.__call__",
                      "new_state[\"v_mem\"] - spikes * threshold",
                      "the default reset_fn (LIF.__init__: reset_fn = MembraneSubtract())"),
        "compare": Rule("ge", "sinabs/activation/spike_generation.py", "MultiSpike.forward",
                        "(v_mem > 0) * torch.div(",
                        "trunc(v / thr) is at least 1 exactly when v >= thr"),
        "integrator": Rule("exact", "sinabs/layers/lif.py", "LIF.alpha_mem_calculated",
                           "torch.exp(-1.0 / self.tau_mem)", "exponential decay"),
        "tau_convention": Rule("nir", "sinabs/nir.py", "_extract_sinabs_module",
                               "tau=module.tau_mem.detach()", "tau_mem written as it is"),
        "cuba_order": Rule("current-first", "sinabs/nir.py", "_extract_sinabs_module", "",
                           "no CubaLIF is exported (tau_syn is dropped): the default"),
        "current_update": Rule("decay-then-add", "sinabs/nir.py", "_extract_sinabs_module", "",
                               "no CubaLIF is exported: the default"),
        "input_gains": Rule("nir", "sinabs/layers/functional/lif.py", "lif_forward_single",
                            "synaptic_input = (1 - alpha_mem) * state[\"i_syn\"]",
                            "norm_input=True (LIF's default) scales by 1 - alpha = r (1 - alpha) "
                            "with the exported r = 1"),
        "spikes": Rule("multiple", "sinabs/activation/spike_generation.py", "MultiSpike.forward",
                       "rounding_mode=\"trunc\"", "the default spike_fn: trunc(v / thr) spikes"),
        "spike_timing": Rule("after-update", "sinabs/layers/functional/lif.py", "lif_forward_single",
                             "spikes = spike_fn.apply(*input_tensors, spike_threshold,",
                             "fires on the updated membrane"),
        "reset_timing": Rule("after-update", "sinabs/layers/functional/lif.py", "lif_forward_single",
                             "", "(read only with spike_timing before-update)"),
        "cuba_reset_timing": Rule("after-update", "sinabs/layers/functional/lif.py",
                                  "lif_forward_single", "",
                                  "(read only with spike_timing before-update)"),
    },
    # ---------------------------------------------------------------- Spyx 1.0.0
    "spyx": {
        "dt": Rule(1.0, "spyx/nir.py", "to_nir", "dt=1", "to_nir's default: tau = dt / (1 - beta)"),
        "reset": Rule("subtract", "spyx/nn.py", "LIF.__call__",
                      "V = beta * V + x - spikes * self.threshold", "subtracts the threshold"),
        "compare": Rule("gt", "spyx/axn.py", "heaviside", "jnp.where(x > 0, 1, 0)",
                        "the spike is the heaviside of V - threshold, x > 0"),
        "integrator": Rule("euler", "spyx/nir.py", "to_nir", "tau=dt / (1 - beta)",
                           "1 - dt/tau recovers beta: V = beta V + x"),
        "tau_convention": Rule("nir", "spyx/nir.py", "to_nir", "tau=dt / (1 - beta)",
                               "tau written as the time constant"),
        "cuba_order": Rule("current-first", "spyx/nn.py", "CuBaLIF.__call__",
                           "V = beta * V + current_I", "the membrane adds the new current"),
        "current_update": Rule("decay-then-add", "spyx/nn.py", "CuBaLIF.__call__",
                               "current_I = alpha * current_I + x", "I = alpha I + x"),
        "input_gains": Rule("unit", "spyx/nn.py", "LIF.__call__", "V = beta * V + x",
                            "gain 1; the exported r = beta plays no role"),
        "spikes": Rule("single", "spyx/axn.py", "heaviside", "jnp.where(x > 0, 1, 0)", "0 or 1"),
        "spike_timing": Rule("before-update", "spyx/nn.py", "LIF.__call__",
                             "spikes = self.spike(V - self.threshold)",
                             "the spike comes from the membrane the step starts with"),
        "reset_timing": Rule("after-update", "spyx/nn.py", "LIF.__call__",
                             "V = beta * V + x - spikes * self.threshold",
                             "LIF subtracts after the decay"),
        "cuba_reset_timing": Rule("before-update", "spyx/nn.py", "CuBaLIF.__call__",
                                  "V = V - spikes * self.threshold",
                                  "CuBaLIF subtracts before the decay"),
    },
}

FRAMEWORK_FIELDS = tuple(f.name for f in dataclasses.fields(Options)
                         if f.name not in NOT_FRAMEWORK_RULES)


def test_every_preset_has_a_table_and_every_table_a_preset():
    assert sorted(semantics.PRESETS) == sorted(FRAMEWORK_RULES)


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_RULES))
def test_the_table_pins_every_option_of_the_framework(framework):
    """A new option must be decided for every framework, here, from its source."""
    assert sorted(FRAMEWORK_RULES[framework]) == sorted(FRAMEWORK_FIELDS)


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_RULES))
def test_preset_equals_the_framework_rule_field_by_field(framework):
    options = resolve_options(preset=framework)
    wrong = {field: (getattr(options, field), rule.value, f"{rule.file}: {rule.function}")
             for field, rule in FRAMEWORK_RULES[framework].items()
             if getattr(options, field) != rule.value}
    assert not wrong, f"preset {framework}: (preset, framework, where) {wrong}"


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_RULES))
def test_presets_leave_the_users_choices_alone(framework):
    options = resolve_options(preset=framework)
    defaults = Options(dt=1.0)
    for field in NOT_FRAMEWORK_RULES:
        assert field not in semantics.PRESETS[framework]
        assert getattr(options, field) == getattr(defaults, field)
