"""Compiler flags shared by every sockspec C++ target."""

SOCKSPEC_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
]
