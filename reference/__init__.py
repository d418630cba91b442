"""Reference implementations of the yearly step, kept for equivalence tests and readers.

:mod:`reference.plain_loop` is a scalar, loop-by-loop executable specification;
:mod:`reference.mesa_model` runs the same year as a Mesa model (one agent per country);
:mod:`reference.timing` measures both. None of them imports the core's mechanism code.
"""
