"""The rule engine, rule packs, scoring and counterfactuals."""
