"""A local Azure Resource Manager emulator that speaks the real REST wire protocol over HTTPS."""

DEFAULT_SUBSCRIPTION = "3f2b8c1e-6d4a-4e9b-a7c5-2e1d0f9b8a76"
SECOND_SUBSCRIPTION = "8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e"
DEFAULT_TENANT = "0d3f5e8a-1c2b-4a6d-9e7f-8b5c4d3a2f10"
