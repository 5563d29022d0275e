"""Build the vendored durable-rules engine as ``rejection_diagnosis._durable_engine``.

Everything else about the package is declared in ``pyproject.toml``; this file only
holds the C extension, which setuptools cannot yet declare there. The sources are
durable-rules 2.0.28 with the patches listed in ``vendor/durable-rules/README.md``.
"""

import sys

from setuptools import Extension, setup

SOURCES = "vendor/durable-rules/src"
CORE = ("json", "rete", "state", "events", "regex")  # the engine, as upstream's build_clib

# Upstream's own flags (its setup.py sets them through CFLAGS), -fcommon on macOS as there.
FLAGS = [] if sys.platform == "win32" else ["-std=c99", "-D_GNU_SOURCE"]
if sys.platform == "darwin":
    FLAGS.append("-fcommon")

setup(
    ext_modules=[
        Extension(
            "rejection_diagnosis._durable_engine",
            sources=[f"{SOURCES}/rulespy/rules.c", *(f"{SOURCES}/rules/{n}.c" for n in CORE)],
            include_dirs=[f"{SOURCES}/rules"],
            depends=[f"{SOURCES}/rules/{h}.h" for h in ("json", "regex", "rete", "rules", "state")],
            extra_compile_args=FLAGS,
        )
    ],
)
