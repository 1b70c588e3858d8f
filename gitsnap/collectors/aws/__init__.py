"""AWS collectors: one module per service, each a list of ResourceType specs.

``clients`` owns botocore sessions and turns botocore exceptions into gitsnap
errors; every other module here only declares what to read and how to shape it.
"""
