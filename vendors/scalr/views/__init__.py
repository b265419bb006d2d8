"""Scalr's pages, one module per resource; each parses its input, calls a selector or a service, renders."""
