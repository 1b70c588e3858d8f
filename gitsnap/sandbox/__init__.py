"""The sandbox: an embedded local AWS (moto server) seeded with a small sample estate.

It backs ``gitsnap sandbox``, ``make demo`` and the end-to-end tests, so users can
try capture, diff and restore without an AWS account. Needs the ``sandbox`` extra.
"""
