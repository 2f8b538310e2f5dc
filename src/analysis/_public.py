"""What `dir()` lists for a public module: its API (`__all__`) and the module's standard attributes (`__doc__`,
`__name__`, ...), never what it imports (np, pd, dataclass), its private helpers or its own hooks (`__dir__`,
`__getattr__`): tab completion in JupyterLab and `help()` show only what is meant for use."""

HOOKS = {"__all__", "__dir__", "__getattr__"}


def public_dir(namespace: dict) -> list[str]:
    standard = (name for name in namespace if name.startswith("__") and name.endswith("__") and name not in HOOKS)
    return sorted({*namespace["__all__"], *standard})
