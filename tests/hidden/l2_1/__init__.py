"""Hidden checks for lesson 2.1: From linear to nonlinear: multi-layer perceptrons."""
