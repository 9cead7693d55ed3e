"""Readers and writers: the only code that opens files (atlas, scenarios, claims, security,
TNTP, GMNS, OpenStreetMap, exports); they hand plain records and rows to the layers above."""
