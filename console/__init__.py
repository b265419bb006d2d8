"""The ground the console stands on: teams and roles, the audit log and the web helpers.

It imports nothing else of ours; `vendors.core`, the vendor apps and the project package
(`dashboard`) build on it. `docs/architecture.md` draws the layers.
"""
