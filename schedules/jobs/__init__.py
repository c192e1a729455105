"""The Ticketnet jobs, each registered with `schedules.framework.registry.register(Job.X)`, their
helpers (the catalogue plan, the allotments, the one door to the gateway) and their records."""
