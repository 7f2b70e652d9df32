"""snnc.options.TABLE is the one list of options: the CLI and the API take
theirs from it, and CMake's add_snn_model(), Bazel's snn_library() and the
docs, which cannot import it, must match it exactly (names, and for Bazel the
values), so that they cannot drift apart again."""
import argparse
import ast
import dataclasses
import inspect
import re

import numpy as np
import pytest

from snnc import api, cli, semantics
from snnc.options import TABLE

from conftest import REPO_ROOT, write_affine_lif

TABLE_NAMES = {option.name for option in TABLE}


def test_table_covers_every_field_of_options_with_its_choices_and_default():
    fields = {field.name: field for field in dataclasses.fields(semantics.Options)}
    in_table = {option.name: option for option in TABLE if option.name in fields}
    assert set(in_table) == set(fields)
    for name, option in in_table.items():
        default = fields[name].default
        assert option.default == (None if default is dataclasses.MISSING else default), name
        assert option.choices == semantics.CHOICES.get(name), name
    assert set(TABLE_NAMES - set(fields)) == {"preset", "calibrate", "no_opt"}
    assert set(next(o for o in TABLE if o.name == "preset").choices) == set(semantics.PRESETS)


def test_every_option_has_help_and_shows_its_default():
    for option in TABLE:
        assert option.help.strip(), option.name
        if option.default is not None:
            assert option.help_text().endswith(f"(default: {option.default})")


# --------------------------------------------------------------------------
# the command line

def _subparsers():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def _optional_actions(parser):
    return {flag: action for action in parser._actions for flag in action.option_strings}


@pytest.mark.parametrize("command", ["compile", "run", "bench", "quantize-report"])
def test_cli_arguments_come_from_the_table(command):
    actions = _optional_actions(_subparsers()[command])
    for option in TABLE:
        action = actions[option.flag]
        assert action.help.replace("%%", "%") == option.help_text()
        assert action.choices == option.choices
        assert action.default in (None, False)  # unset: the preset or the default decides
        if option.type is bool:
            assert action.nargs == 0
        elif option.type is not str:
            assert action.type is option.type


def test_compile_has_no_option_outside_the_table():
    actions = _optional_actions(_subparsers()["compile"])
    own = {"-h", "--help", "-o", "--output-dir", "--name", "--emit"}
    assert set(actions) - own == {option.flag for option in TABLE}


def test_help_shows_defaults():
    text = _subparsers()["compile"].format_help()
    assert "(default: current-first)" in text and "(default: f32)" in text


# --------------------------------------------------------------------------
# the Python API

def test_api_accepts_exactly_the_table_names():
    explicit = {name for name, parameter in inspect.signature(api.generate).parameters.items()
                if parameter.kind is inspect.Parameter.KEYWORD_ONLY}
    accepted = (explicit - {"name", "emit"}) | set(api.OPTION_NAMES)
    assert accepted == {option.keyword for option in TABLE}


def test_api_takes_every_option_of_the_table(tmp_path):
    model = write_affine_lif(tmp_path / "m.nir", np.eye(3), np.zeros(3))
    # Each at its value when not given: the same code as with dt alone.
    given = {option.keyword: option.default for option in TABLE}
    given.update(dt=1e-3, optimize=True)
    assert api.generate(model, name="m", **given) == api.generate(model, name="m", dt=1e-3)
    with pytest.raises(TypeError, match="unknown options: no_such_option"):
        api.generate(model, name="m", dt=1e-3, no_such_option=1)


# --------------------------------------------------------------------------
# CMake and Bazel keep their own lists

def _cmake_list(text, variable):
    match = re.search(rf"^\s*set\({variable}\s+([^)]*)\)", text, re.MULTILINE)
    assert match, f"set({variable} ...) not found in snncConfig.cmake"
    return match.group(1).split()


def test_add_snn_model_keywords_match_the_table():
    text = (REPO_ROOT / "cmake" / "snncConfig.cmake").read_text()
    values, flags = _cmake_list(text, "value_options"), _cmake_list(text, "flag_options")
    assert sorted(values + flags) == sorted(option.cmake_keyword for option in TABLE)
    assert flags == [option.cmake_keyword for option in TABLE if option.type is bool]
    # ... and the signature in the function's documentation shows each of them.
    usage = text[text.index("  add_snn_model(<name>"):text.index("#]====")]
    documented = set(re.findall(r"^\s+\[([A-Z_]+)", usage, re.MULTILINE)) - {"OUTPUT_DIR"}
    assert documented == {option.cmake_keyword for option in TABLE}


def _starlark_literal(text, variable):
    match = re.search(rf"^{variable} = (\{{.*?^\}}|\[.*?\])$", text, re.MULTILINE | re.DOTALL)
    assert match, f"{variable} not found in snn.bzl"
    return ast.literal_eval(match.group(1))


def test_snn_library_attributes_match_the_table():
    text = (REPO_ROOT / "rules" / "snn.bzl").read_text()
    strings = _starlark_literal(text, "_STRING_OPTIONS")
    labels = _starlark_literal(text, "_LABEL_OPTIONS")
    flags = _starlark_literal(text, "_FLAG_OPTIONS")
    assert sorted(list(strings) + labels + flags) == sorted(o.bazel_attr for o in TABLE)
    for option in TABLE:
        if option.type is bool:
            assert option.bazel_attr in flags
        elif option.type is str and option.choices is None:  # a file
            assert option.bazel_attr in labels
        else:
            assert strings[option.bazel_attr] == list(option.choices or ()), option.name


# --------------------------------------------------------------------------
# the docs

def _first_cells(markdown, header):
    """The first column of the markdown table whose header row starts with `header`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    cells = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells.append(line.split("|")[1])
    return cells


def test_readme_option_table_matches():
    cells = _first_cells((REPO_ROOT / "README.md").read_text(), "option")
    documented = {flag for cell in cells for flag in re.findall(r"`(--[a-z-]+)`", cell)}
    assert documented == {option.flag for option in TABLE}


def test_cmake_doc_matches():
    cells = _first_cells((REPO_ROOT / "docs" / "cmake.md").read_text(), "keyword")
    documented = {m for cell in cells for m in re.findall(r"`([A-Z_]+)`", cell)}
    assert documented - {"MODEL", "OUTPUT_DIR"} == {option.cmake_keyword for option in TABLE}


def test_bazel_doc_matches():
    cells = _first_cells((REPO_ROOT / "docs" / "bazel.md").read_text(), "attribute")
    documented = {m for cell in cells for m in re.findall(r"`([a-z_]+)`", cell)}
    assert documented - {"name", "src", "prefix", "copts"} == {o.bazel_attr for o in TABLE}
