"""Hidden checks for lesson 3.6: Monitoring and debugging the loop: loss/accuracy curves, diagnosing problems."""
