"""Training: the model fingerprint (train only when inputs changed) and the training data generated from knowledge/."""
