"""The worker: takes jobs off a queue, runs them, records their outcome."""
