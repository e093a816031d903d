"""serverless-fit: should this workload run serverless, where, and at what cost."""

__version__ = "0.1.0"
