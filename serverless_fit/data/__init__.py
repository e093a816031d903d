"""Data shipped in the package (profiles, baselines, services, rules, claims) and its loaders."""
