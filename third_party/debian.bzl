"""Repository rules that turn Debian's packaged Bazel rules and libraries into
workspace repositories, so a build never reaches the network."""

def _debian_rules_cc_impl(ctx):
    src = ctx.attr.path
    if not ctx.path(src + "/cc/defs.bzl").exists:
        fail("%s is missing: install Debian's bazel-rules-cc (bash ci/setup.sh)" % src)
    result = ctx.execute(["cp", "-R", src + "/.", "."])
    if result.return_code != 0:
        fail("copying %s failed: %s" % (src, result.stderr))

    # Bazel 4.2.3's toolchain_utils.bzl has find_cpp_toolchain but not
    # use_cpp_toolchain; the plain toolchain type label is what it returns.
    for f in [
        "cc/private/rules_impl/compiler_flag.bzl",
        "cc/private/rules_impl/cc_flags_supplier.bzl",
    ]:
        text = ctx.read(f)
        text = text.replace(
            '"find_cpp_toolchain", "use_cpp_toolchain")',
            '"find_cpp_toolchain")',
        )
        text = text.replace(
            "use_cpp_toolchain()",
            '["@bazel_tools//tools/cpp:toolchain_type"]',
        )
        ctx.file(f, text)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    attrs = {"path": attr.string(mandatory = True)},
    local = True,
)

def _system_library_impl(ctx):
    ctx.symlink("/usr/include", "include")
    ctx.symlink("/usr/lib/x86_64-linux-gnu", "lib")
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)

# A library installed by Debian under /usr, described by build_file.
system_library = repository_rule(
    implementation = _system_library_impl,
    attrs = {"build_file": attr.label(mandatory = True, allow_single_file = True)},
    local = True,
)
