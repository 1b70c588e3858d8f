"""Local files: site repositories, tools, docs, launch agents (``[[local.paths]]``), and
``.env``-style files reduced to the names they set (``[local] env_files``)."""
