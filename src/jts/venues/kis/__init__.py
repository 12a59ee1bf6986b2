"""KIS (Korea Investment & Securities) Open API: wire protocol, adapter, local simulator."""
