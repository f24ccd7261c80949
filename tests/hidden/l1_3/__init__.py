"""Hidden checks for lesson 1.3: batch vs stochastic vs mini-batch gradient descent."""
