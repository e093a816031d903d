"""serverless-fit: should this workload run serverless, where, at what cost, and what would change the answer."""

__version__ = "0.1.0"
