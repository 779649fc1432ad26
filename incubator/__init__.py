"""The platform core. Bounded integer path parameters are installed before any route is built."""

from incubator import convertors as _convertors  # noqa: F401 - registers the `int` path convertor
