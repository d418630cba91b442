"""The twelve mechanisms of the brief, one module each (M1-M12).

Each module's docstring states its equations, units and sources; each public function is
pure: arrays in, arrays out, shaped (members, countries) with parameters shaped (members, 1).
The yearly order in which :mod:`nato_socialism.model.step` calls them is documented there.
"""
