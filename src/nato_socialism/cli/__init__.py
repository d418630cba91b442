"""Command-line interface (Typer + Rich). Thin: each command parses, calls one library function, renders."""
