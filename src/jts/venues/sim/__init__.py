"""The simulated KRX exchange: per-symbol books, continuous matching and call auctions, the
session schedule, volatility interruptions and market-wide controls, accounts, and background
order flow (agents). Rules come from `jts.krx`; see ../shared/KRX.md §12 for the checklist the
tests follow."""
