"""Request logs: formats, reading at scale, and the figures measured from them."""
