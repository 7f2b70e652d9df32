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
snn_library targets never collide. Remaining keyword arguments (visibility,
tags, copts, ...) are forwarded to the cc_library.
"""

_OPTION_ATTRS = ["preset", "dt", "reset", "compare", "precision", "input_kind"]

def _snn_generate_impl(ctx):
    prefix = ctx.attr.prefix
    header = ctx.actions.declare_file("{}/{}.h".format(ctx.attr.out_dir, prefix))
    source = ctx.actions.declare_file("{}/{}.c".format(ctx.attr.out_dir, prefix))
    args = ctx.actions.args()
    args.add("compile")
    args.add(ctx.file.src)
    args.add("-o", header.dirname)
    args.add("--name", prefix)
    for option in _OPTION_ATTRS:
        value = getattr(ctx.attr, option)
        if value:
            args.add("--" + option.replace("_", "-"), value)
    ctx.actions.run(
        executable = ctx.executable._snnc,
        arguments = [args],
        inputs = [ctx.file.src],
        outputs = [header, source],
        mnemonic = "SnncCompile",
        progress_message = "snnc: compiling {} to {}.c".format(ctx.file.src.short_path, prefix),
    )
    return [
        DefaultInfo(files = depset([header, source])),
        OutputGroupInfo(header = depset([header]), source = depset([source])),
    ]

_snn_generate = rule(
    implementation = _snn_generate_impl,
    attrs = {
        "src": attr.label(allow_single_file = [".nir"], mandatory = True),
        "prefix": attr.string(mandatory = True),
        "out_dir": attr.string(mandatory = True),
        "preset": attr.string(),
        "dt": attr.string(),
        "reset": attr.string(values = ["", "value", "subtract", "subtract-delayed"]),
        "compare": attr.string(values = ["", "gt", "ge"]),
        "precision": attr.string(values = ["", "f32", "f64", "int8", "int16"]),
        "input_kind": attr.string(values = ["", "values", "spikes"]),
        "_snnc": attr.label(
            default = "@snnc_compiler//:snnc",
            executable = True,
            cfg = "exec",  # the compiler runs on the build machine, also in cross builds
        ),
    },
    doc = "Runs `snnc compile` on a NIR file; outputs <out_dir>/<prefix>.h and .c.",
)

def snn_library(name, src, prefix = None, preset = None, dt = None, reset = None,
                compare = None, precision = None, input_kind = None, copts = [], **kwargs):
    """A cc_library `name` made of the C that snnc generates from `src`.

    Args:
      name: the cc_library's name, and the C prefix of the generated symbols
        unless `prefix` is given.
      src: the .nir file.
      prefix: C prefix (NAME_step, NAME_state, NAME.h); a C identifier that is
        not the name of a C or POSIX header (snnc's compile action refuses
        `string`, `time`, ..., which NAME.h would shadow).
      preset: defaults of the exporting framework (e.g. "snntorch").
      dt: time step in seconds, as a string or number (NIR stores none).
      reset: "value", "subtract" or "subtract-delayed".
      compare: "gt" or "ge".
      precision: "f32" (default), "f64", "int8" or "int16" (integer-only code).
      input_kind: "values" (default) or "spikes" (a positive input is one spike).
      copts: extra C compiler options for the generated code.
      **kwargs: forwarded to cc_library (visibility, tags, ...).
    """
    if not preset and dt == None:
        fail("snn_library({}): NIR stores no time step; give dt or preset".format(name))
    prefix = prefix or name
    generated = name + "_snnc_generated"
    _snn_generate(
        name = generated,
        src = src,
        prefix = prefix,
        out_dir = name,
        preset = preset or "",
        dt = str(dt) if dt != None else "",
        reset = reset or "",
        compare = compare or "",
        precision = precision or "",
        input_kind = input_kind or "",
        visibility = ["//visibility:private"],
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
