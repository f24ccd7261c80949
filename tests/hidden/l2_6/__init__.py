"""Hidden checks for lesson 2.6: Regularisation and overfitting: L2, dropout."""
