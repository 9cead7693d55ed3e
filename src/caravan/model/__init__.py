"""Frozen records of the atlas, scenarios and TNTP networks, the file schema, validation of
parsed rows, what a mode means (``modes.py``) and how a scenario changes an atlas."""
