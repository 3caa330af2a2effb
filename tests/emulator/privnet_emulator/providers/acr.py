"""Placeholder: filled in by a later step."""


def register(engine):
    pass
