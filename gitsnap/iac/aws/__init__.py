"""One module per AWS service: each declares ``SPECS``, type name -> :class:`~..spec.IacSpec`."""
