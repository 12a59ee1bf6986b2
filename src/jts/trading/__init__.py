"""Live trading: strategies on live bars and ticks from any `Venue`, through the risk engine and
the order manager, with persistence and restart reconciliation (paper and live differ only in
the venue plugged in)."""
