"""Pure computation from a workload and a profile: facts, traffic, simulation and cost."""
