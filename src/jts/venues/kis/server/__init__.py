"""A local server that speaks the KIS Open API (REST + WebSocket), backed by the simulated
KRX exchange (`jts.venues.sim`): orders really match and fills come back as KIS would send
them. Start it with `jts sim kis`, or in-process with `KisSimulator.start(config)`.
See docs/kis-simulator.md.
"""

from jts.venues.kis.server.config import AccountSpec, KisSimConfig, demo_account, load_accounts
from jts.venues.kis.server.simulator import KisSimulator

__all__ = ["AccountSpec", "KisSimConfig", "KisSimulator", "demo_account", "load_accounts"]
