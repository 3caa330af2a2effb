"""privnet-emulator: serve the emulator in the foreground until interrupted."""

import argparse
import os
import signal
import sys
import threading

from .contract.versions import PROFILES as CONTRACT_PROFILES
from .server import Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog="privnet-emulator", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("PRIVNET_EMULATOR_DIR", ".emulator"),
                        help="where ca.pem, the server key and the env file live (default: .emulator)")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--latency", choices=("instant", "realistic"), default="instant",
                        help="instant: operations finish on the first poll; realistic: Azure-like durations")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiply realistic durations and Retry-After by this factor")
    parser.add_argument("--scenario", action="append", default=[],
                        help="scenario to load at start: a built-in name (acr, hub_spoke) or a YAML file")
    parser.add_argument("--cloud", choices=("AzureCloud", "AzureUSGovernment", "AzureChinaCloud"),
                        default="AzureCloud",
                        help="the cloud to answer as: its suffixes (azurecr.io/.us/.cn), metadata and regions")
    parser.add_argument("--api-profile", default=os.environ.get("PRIVNET_EMULATOR_API_PROFILE") or None,
                        choices=sorted(CONTRACT_PROFILES),
                        help="serve only the api-versions of an API profile, as a lagging cloud does "
                             "(2020-09-01-hybrid: Azure Stack Hub; no private endpoints, no Private DNS)")
    parser.add_argument("--no-strict", action="store_true",
                        help="accept request bodies that break the published schema (default: strict, unless "
                             "PRIVNET_EMULATOR_STRICT=0)")
    parser.add_argument("--throttling", action="store_true",
                        default=os.environ.get("PRIVNET_EMULATOR_THROTTLING", "") in ("1", "true", "yes"),
                        help="throttle ARM requests as Azure does: token buckets per subscription (or tenant), "
                             "principal and operation kind (reads 250 +25/s, writes and deletes 200 +10/s, a global "
                             "bucket 15 times that), x-ms-ratelimit-remaining-* headers on every answer, 429 "
                             "SubscriptionRequestsThrottled with Retry-After when a bucket is empty (default: off, "
                             "unless PRIVNET_EMULATOR_THROTTLING=1)")
    args = parser.parse_args(argv)

    emu = Emulator(args.data_dir, port=args.port, latency=args.latency, time_scale=args.time_scale,
                   cloud=args.cloud, api_profile=args.api_profile, strict=False if args.no_strict else None,
                   throttling=args.throttling)
    from .scenarios import load_file_or_name
    for scenario in args.scenario:
        load_file_or_name(emu, scenario)
    emu.start()
    emu.dns.sync()
    print(f"privnet-emulator ready on {emu.url} (source {os.path.join(emu.data_dir, 'env')})", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
