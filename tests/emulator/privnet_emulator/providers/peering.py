"""Placeholder: filled in by a later step."""


def register(engine):
    pass


def address_space_changed(emu, vnet_res):
    pass


def virtual_network_deleted(emu, vnet_res):
    pass
