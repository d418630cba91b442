"""``python -m nato_socialism.cli``: the same as the ``nato-socialism`` command."""

from nato_socialism.cli.app import main

main()
