"""Reading a registry's exposition back, shared by test_registry.py and
test_registry_helpers.py."""

import obsv


def values(registry, fmt="text"):
    """{(sample name, frozenset(labels)): value}, read with obsv.parse."""
    body, _ = registry.expose(format=fmt)
    out = {}
    for family in obsv.parse(body, format=fmt, strict=True):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def key(sample_name, /, **labels):
    return (sample_name, frozenset(labels.items()))
