"""pytest plugin for asyncfakes (fixtures come with the clock and sandbox features)."""
