"""Hidden checks for lesson 3.1: Optimisers beyond SGD: momentum, RMSProp, Adam."""
