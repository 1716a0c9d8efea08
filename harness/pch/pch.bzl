"""A precompiled prefix header: the third-party headers most sources include,
parsed once per configuration instead of once per source file.

    sockspec_prefix_header(
        name = "prefix",
        main = "/usr/include/absl/status/statusor.h",
        includes = ["string", ...],
    )

compiles the headers, where it is enabled (clang at fastbuild: the default
build and the sanitizer builds), into NAME.pch with the exact command line
of the configuration's C++ compile actions (toolchain flags, --copt,
--cxxopt, PIC), so a source compiled with `-include-pch` sees the same
language options, and clang refuses a source whose options differ. The
sources still include what they use; the prefix only holds system and
third-party headers, so a build without it (gcc, -c opt) compiles the same
code.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

def _prefix_header_impl(ctx):
    if not ctx.attr.precompile:
        return [DefaultInfo(), CcInfo()]
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    pch = ctx.actions.declare_file(ctx.label.name + ".pch")

    # A precompiled header records its files by absolute path, and a header
    # of ours would be recorded at a path inside this action's sandbox, which
    # no later compile can find. So the main file is a system header (`main`,
    # at the same place in every sandbox and, as a system header, exempt from
    # Bazel's inclusion check) and the others come in as -include.
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts,
        source_file = ctx.attr.main,
        output_file = pch.path,
        use_pic = True,
    )
    action = "c++-compile"
    args = ctx.actions.args()

    # -x before the toolchain's `-c FILE`; no timestamps, so a .pch from a
    # disk or remote cache is valid wherever the headers are the same; the
    # templates the headers use themselves instantiated once, here.
    args.add_all([
        "-x",
        "c++-header",
        "-Xclang",
        "-fno-pch-timestamp",
        "-fpch-instantiate-templates",
    ])
    args.add_all(ctx.attr.includes, before_each = "-include")
    args.add_all(cc_common.get_memory_inefficient_command_line(
        feature_configuration = features,
        action_name = action,
        variables = variables,
    ))
    ctx.actions.run(
        executable = cc_common.get_tool_for_action(
            feature_configuration = features,
            action_name = action,
        ),
        arguments = [args],
        env = cc_common.get_environment_variables(
            feature_configuration = features,
            action_name = action,
            variables = variables,
        ),
        inputs = cc_toolchain.all_files,
        outputs = [pch],
        mnemonic = "CppPrecompileHeader",
        progress_message = "Precompiling %s" % pch.short_path,
    )
    return [
        DefaultInfo(files = depset([pch])),
        CcInfo(compilation_context = cc_common.create_compilation_context(
            headers = depset([pch]),
        )),
    ]

sockspec_prefix_header = rule(
    implementation = _prefix_header_impl,
    attrs = {
        # Absolute path of a header in a system include directory.
        "main": attr.string(mandatory = True),
        # Headers as an #include names them ("string", "absl/...").
        "includes": attr.string_list(),
        "precompile": attr.bool(default = False),
        "_cc_toolchain": attr.label(
            default = Label("@bazel_tools//tools/cpp:current_cc_toolchain"),
        ),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)
