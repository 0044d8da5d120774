"""The web interface: server-rendered pages (with htmx) for the care team."""
