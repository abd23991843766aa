"""The package version, defined once: pyproject.toml (scikit-build-core) and CMake read this file."""

__version__ = "0.2.0.dev0"
