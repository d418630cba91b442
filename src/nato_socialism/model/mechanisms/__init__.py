"""The twelve mechanisms of the brief, one module each (M1-M12), and living standards.

Each module's docstring states its equations, units and sources, and the module holds those
equations once, as small compiled scalar functions (:data:`~nato_socialism.model.compiled.equation`):
numbers in, numbers out, for one member and one country; ``q`` is the member's parameter row
(``q[KP.name]``). These are the equations that run: the fused passes of
:mod:`nato_socialism.model.kernels` call them in the yearly order documented in
:mod:`nato_socialism.model.step`, and validation and tests call the same functions (on
arrays with :func:`~nato_socialism.model.compiled.evaluate`). To change a mechanism, edit
its function here; nothing else needs to follow.
"""
