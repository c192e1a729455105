"""The audit log: who exported, changed or unlocked a code, retried lines, edited a schedule or
changed a password, per institution; kept when the objects it names are deleted."""
