"""The operator's cockpit: the admin's home page, a dashboard of every interface's health.

The top room: it reads any app's models and selectors, and nothing imports it."""
