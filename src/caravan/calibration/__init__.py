"""Base-year calibration and validation against observed volumes.

- :mod:`caravan.calibration.validation`: observed against modelled counts for a scenario run;
- :mod:`caravan.calibration.odme`: origin-destination matrix estimation from counts
  (generalised least squares towards the trade-based prior);
- :mod:`caravan.calibration.constants`: route-choice constants and logit scale;
- :mod:`caravan.calibration.workflow`: ``calibrate``, the whole estimation on the base year.
"""

from caravan.calibration.validation import CountValidation, validate_counts

__all__ = ["CountValidation", "validate_counts"]
