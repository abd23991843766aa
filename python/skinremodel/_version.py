"""The package version, defined once: pyproject.toml (scikit-build-core) and CMake read it."""

__version__ = "0.2.0.dev0"
