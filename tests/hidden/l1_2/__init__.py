"""Hidden checks for lesson 1.2: linear regression, its mean squared error and the gradient by hand."""
