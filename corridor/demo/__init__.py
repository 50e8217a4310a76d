"""The demonstration: a synthetic data set along the routes to Europe, demo accounts, and a
one-command local server (`corridor demo`)."""
