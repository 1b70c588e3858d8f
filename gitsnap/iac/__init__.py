"""Infrastructure as code from a snapshot: CloudFormation templates and Terraform files.

This package owns turning a snapshot's documents into code that recreates (CloudFormation) or
adopts (Terraform ``import {}`` blocks) the estate as it was at that revision. It reads a
snapshot through :class:`~gitsnap.store.snapshot.Snapshot` and writes only the output folder;
it makes no cloud call.

Layout: ``model.py`` (a snapshot's resources, the field tracker that lists what a builder did
not use, links and secrets as placeholders), ``spec.py`` (``IacSpec``: what one resource type
becomes in each format), ``aws/<service>.py`` (one module of specs per service),
``registry.py`` (one line per service), ``cloudformation.py`` and ``terraform.py`` (+
``hcl.py``) (the two writers), ``artifacts.py`` (Lambda code and S3 bodies beside the code),
``coverage.py`` (COVERAGE.md: what was emitted, what was left out and why), ``run.py`` (one
generation, start to end).
"""
