"""Hidden checks for lesson 3.2: Learning-rate schedules: how and why the rate changes during training."""
