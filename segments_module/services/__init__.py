"""Services: the module's actions. Each takes an Env with the caller's session."""
