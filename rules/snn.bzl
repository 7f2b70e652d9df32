"""snn_library: a spiking network (NIR file) compiled by snnc into a cc_library.

    load("@snnc//rules:snn.bzl", "snn_library")

    snn_library(
        name = "kws",                 # the cc_library; also the C prefix unless `prefix` is set
        src = "kws.nir",
        preset = "snntorch",          # or dt/reset/compare explicitly (NIR stores none of them)
        precision = "f32",
    )

    cc_binary(name = "app", srcs = ["app.c"], deps = [":kws"])   # #include "kws.h"

The code is generated at build time by the snnc found by snnc_configure()
(@snnc_compiler//:snnc), into `<name>/` in the package's output tree, so two
snn_library targets never collide. Every option of `snnc compile` is an
attribute, `--foo-bar` as `foo_bar` (docs/bazel.md); remaining keyword
arguments (visibility, tags, copts, ...) are forwarded to the cc_library.
"""

# The options of `snnc compile` (python/snnc/options.py): attribute foo_bar is
# passed as --foo-bar. python/tests/test_options_table.py checks that these
# match the table, names and values, so keep them literal.
# String options and the values they accept ([]: any, e.g. dt):
_STRING_OPTIONS = {
    "preset": ["norse", "rockpool", "sinabs", "snntorch", "spyx"],
    "dt": [],
    "reset": ["value", "subtract", "subtract-delayed"],
    "compare": ["gt", "ge"],
    "cuba_order": ["current-first", "voltage-first", "joined"],
    "tau_convention": ["nir", "norse-inverse"],
    "integrator": ["euler", "exact"],
    "spikes": ["single", "multiple"],
    "current_update": ["decay-then-add", "add-then-decay"],
    "input_gains": ["nir", "unit"],
    "spike_timing": ["after-update", "before-update"],
    "reset_timing": ["after-update", "before-update"],
    "cuba_reset_timing": ["after-update", "before-update"],
    "input_kind": ["values", "spikes"],
    "precision": ["f32", "f64", "int8", "int16"],
}
# A file of inputs (a label), and a flag:
_LABEL_OPTIONS = ["calibrate"]
_FLAG_OPTIONS = ["no_opt"]

def _flag(option):
    return "--" + option.replace("_", "-")

def _snn_generate_impl(ctx):
    prefix = ctx.attr.prefix
    header = ctx.actions.declare_file("{}/{}.h".format(ctx.attr.out_dir, prefix))
    source = ctx.actions.declare_file("{}/{}.c".format(ctx.attr.out_dir, prefix))
    args = ctx.actions.args()
    args.add("compile")
    args.add(ctx.file.src)
    args.add("-o", header.dirname)
    args.add("--name", prefix)
    for option in _STRING_OPTIONS:
        value = getattr(ctx.attr, option)
        if value:
            args.add(_flag(option), value)
    inputs = [ctx.file.src]
    for option in _LABEL_OPTIONS:
        file = getattr(ctx.file, option)
        if file:
            args.add(_flag(option), file)
            inputs.append(file)  # new inputs, new scales: the action reruns
    for option in _FLAG_OPTIONS:
        if getattr(ctx.attr, option):
            args.add(_flag(option))
    ctx.actions.run(
        executable = ctx.executable._snnc,
        arguments = [args],
        inputs = inputs,
        outputs = [header, source],
        mnemonic = "SnncCompile",
        progress_message = "snnc: compiling {} to {}.c".format(ctx.file.src.short_path, prefix),
    )
    return [
        DefaultInfo(files = depset([header, source])),
        OutputGroupInfo(header = depset([header]), source = depset([source])),
    ]

_OPTION_ATTRS = dict(
    [(option, attr.string(values = [""] + values if values else []))
     for option, values in _STRING_OPTIONS.items()] +
    [(option, attr.label(allow_single_file = [".npy"])) for option in _LABEL_OPTIONS] +
    [(option, attr.bool()) for option in _FLAG_OPTIONS],
)

_snn_generate = rule(
    implementation = _snn_generate_impl,
    attrs = dict(_OPTION_ATTRS, **{
        "src": attr.label(allow_single_file = [".nir"], mandatory = True),
        "prefix": attr.string(mandatory = True),
        "out_dir": attr.string(mandatory = True),
        "_snnc": attr.label(
            default = "@snnc_compiler//:snnc",
            executable = True,
            cfg = "exec",  # the compiler runs on the build machine, also in cross builds
        ),
    }),
    doc = "Runs `snnc compile` on a NIR file; outputs <out_dir>/<prefix>.h and .c.",
)

def snn_library(name, src, prefix = None, copts = [], **kwargs):
    """A cc_library `name` made of the C that snnc generates from `src`.

    Args:
      name: the cc_library's name, and the C prefix of the generated symbols
        unless `prefix` is given.
      src: the .nir file.
      prefix: C prefix (NAME_step, NAME_state, NAME.h); a C identifier that is
        not the name of a C or POSIX header (snnc's compile action refuses
        `string`, `time`, ..., which NAME.h would shadow).
      copts: extra C compiler options for the generated code.
      **kwargs: the options of `snnc compile`, with `_` for `-` (preset, dt,
        reset, compare, cuba_order, ..., precision; calibrate: a label of a
        .npy; no_opt: a bool; see docs/bazel.md); dt or preset is required,
        dt may be a number. The rest are forwarded to cc_library
        (visibility, tags, ...).
    """
    options = {}
    for option in list(_STRING_OPTIONS) + _LABEL_OPTIONS + _FLAG_OPTIONS:
        value = kwargs.pop(option, None)
        if value != None:
            options[option] = str(value) if option == "dt" else value
    if not options.get("preset") and "dt" not in options:
        fail("snn_library({}): NIR stores no time step; give dt or preset".format(name))
    prefix = prefix or name
    generated = name + "_snnc_generated"
    _snn_generate(
        name = generated,
        src = src,
        prefix = prefix,
        out_dir = name,
        visibility = ["//visibility:private"],
        **options
    )
    native.filegroup(name = generated + "_header", srcs = [":" + generated],
                     output_group = "header", visibility = ["//visibility:private"])
    native.filegroup(name = generated + "_source", srcs = [":" + generated],
                     output_group = "source", visibility = ["//visibility:private"])
    native.cc_library(
        name = name,
        srcs = [":" + generated + "_source"],
        hdrs = [":" + generated + "_header"],
        # `#include "<prefix>.h"` from anywhere; the directory is <package>/<name>.
        includes = [name],
        # Results must not depend on whether the compiler fuses multiply-adds.
        copts = ["-std=c11", "-ffp-contract=off"] + copts,
        **kwargs
    )
