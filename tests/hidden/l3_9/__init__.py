"""Hidden checks for lesson 3.9: What comes after: fine-tuning, transfer learning, self-supervised learning."""
