"""Hidden checks for lesson 3.5: Large-scale training: data parallelism, the same loop on GPUs and many machines."""
