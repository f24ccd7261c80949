"""Hidden checks for lesson 3.7: Modern regularisation: early stopping, batch/layer norm, data augmentation."""
