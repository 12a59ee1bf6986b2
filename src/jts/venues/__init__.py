"""Venues: where orders go. `base` is the contract every broker adapter and the simulated
exchange implement; `sim` is the simulated KRX exchange."""
