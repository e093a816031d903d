"""The workload format: units, word lists, models, YAML with source marks, loading and limits."""
