"""Interface credentials: encryption at rest (crypto) and keeping them out of error reports
(reporting). Imports nothing from the apps; the apps import it."""
