"""DNS as a VM in a VNet sees it: one listener per VNet on loopback (implemented in a later step)."""


class DnsService:
    def __init__(self, emulator):
        self.emu = emulator

    def sync(self):
        """Start a listener for every VNet that has none; stop those of deleted VNets."""

    def listeners(self):
        return []

    def stop(self):
        pass
