"""The job framework: a job registered by name runs for an interface under a lock, recorded as a
run, in this process or on Celery; it knows no job's work (the Ticketnet jobs are in `jobs/`)."""
