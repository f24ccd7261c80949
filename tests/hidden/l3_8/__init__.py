"""Hidden checks for lesson 3.8: The loop in practice: how large labs train big models; what scaling up means."""
