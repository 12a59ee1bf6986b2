"""A skeleton of the `Venue` contract to copy when writing a new adapter; never imported by the
app. Copy the folder to `venues/<name>/`, rename `TemplateVenue`, fill in each method and make
`tests/venues/contract.py` pass against it (see `venue.py` for the file set to aim for)."""
